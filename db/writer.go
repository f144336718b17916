package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// errWriterStopped is returned for writes submitted after Close.
var errWriterStopped = errors.New("database writer is stopped")

// WriterStats counts group commits: Commits/Requests below 1 shows batching
// at work, since every commit is one fsync in full durability.
type WriterStats struct {
	Requests      uint64
	Commits       uint64
	Failed        uint64
	CommitSeconds float64
	LastBatch     int
	MaxBatch      int
}

type writeRequest struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan error
}

// writer is the group-commit loop: one goroutine owns the single write
// connection; requests that arrive while a commit is in flight are carried by
// the next transaction together, so N concurrent writes cost one fsync.
type writer struct {
	conn     *sql.DB
	batchMax int
	onCommit func(batch int, took time.Duration) // nil: none
	queue    chan *writeRequest
	quit     chan struct{}
	stopped  chan struct{}
	once     sync.Once

	path     string    // the database file, whose disk and WAL count for space
	fullness fullState // whether the disk filled up (see full.go)

	requests, commits, failed atomic.Uint64
	commitNanos               atomic.Int64
	lastBatch, maxBatch       atomic.Int64

	// stmts are statements prepared on conn, reused by every transaction;
	// pending are queries met since the last commit, prepared after it (a
	// statement cannot be prepared on conn while a transaction holds it).
	// Both belong to the loop goroutine, which runs every request.
	stmts   map[string]*sql.Stmt
	pending []string

	// begin, when set, runs first in every transaction (PostgreSQL's
	// cluster-wide write lock, see writeLock).
	begin string

	linger time.Duration // lingerMax, but in tests
}

func newWriter(conn *sql.DB, path string, batchMax int, onCommit func(int, time.Duration)) *writer {
	w := &writer{
		conn:     conn,
		path:     path,
		batchMax: batchMax,
		onCommit: onCommit,
		queue:    make(chan *writeRequest, batchMax*4),
		stmts:    map[string]*sql.Stmt{},
		quit:     make(chan struct{}),
		stopped:  make(chan struct{}),
		linger:   lingerMax,
	}
	go w.loop()
	return w
}

func (w *writer) do(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return w.enqueue(ctx, fn)()
}

// enqueue queues fn and returns a function that waits for its commit.
// Requests run and commit in the order they were queued.
func (w *writer) enqueue(ctx context.Context, fn func(tx *sql.Tx) error) (wait func() error) {
	req := &writeRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case w.queue <- req:
	case <-ctx.Done():
		err := ctx.Err()
		return func() error { return err }
	case <-w.quit:
		return func() error { return errWriterStopped }
	}
	// Once queued the write is waited for even if ctx ends: the caller must
	// learn whether its row is durable, never guess. A request that won the
	// race against stop but arrived after the final drain is never run: the
	// loop has exited, so it is reported as stopped instead of waiting forever.
	return func() error {
		select {
		case err := <-req.done:
			return err
		case <-w.stopped:
			select {
			case err := <-req.done:
				return err
			default:
				return errWriterStopped
			}
		}
	}
}

func (w *writer) stop() {
	w.once.Do(func() { close(w.quit) })
	<-w.stopped
}

func (w *writer) loop() {
	defer close(w.stopped)
	batch := make([]*writeRequest, 0, w.batchMax)
	for {
		select {
		case req := <-w.queue:
			batch = append(batch[:0], req)
		case <-w.fullness.retry():
			w.recoverSpace()
			continue
		case <-w.quit:
			w.drain()
			w.closeStmts()
			return
		}
		batch = w.fill(batch)
		if want := int(w.lastBatch.Load()); want >= lingerFrom && len(batch) < want {
			batch = w.gather(batch, min(want, w.batchMax))
		}
		w.recoverSpace()
		w.commit(batch)
		w.preparePending()
	}
}

// stmt returns query prepared for tx: the cached statement when there is
// one, else a one-off preparation, and the query is prepared for good after
// the commit. Only request functions, which run on the loop goroutine, may
// call it.
func (w *writer) stmt(tx *sql.Tx, query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return tx.Stmt(st), nil
	}
	if len(w.stmts)+len(w.pending) < maxCachedStatements && !slices.Contains(w.pending, query) {
		w.pending = append(w.pending, query)
	}
	return tx.Prepare(query)
}

func (w *writer) preparePending() {
	for _, q := range w.pending {
		if st, err := w.conn.Prepare(q); err == nil {
			w.stmts[q] = st
		}
	}
	w.pending = w.pending[:0]
}

func (w *writer) closeStmts() {
	for q, st := range w.stmts {
		st.Close()
		delete(w.stmts, q)
	}
}

// exec runs a statement of the batch itself through the statement cache.
func (w *writer) exec(tx *sql.Tx, query string) error {
	st, err := w.stmt(tx, query)
	if err != nil {
		return err
	}
	_, err = st.Exec()
	st.Close()
	return err
}

// fill adds whatever is already queued, without waiting, up to batchMax.
func (w *writer) fill(batch []*writeRequest) []*writeRequest {
	for len(batch) < w.batchMax {
		select {
		case req := <-w.queue:
			batch = append(batch, req)
		default:
			return batch
		}
	}
	return batch
}

// A batch smaller than the one before, when that one had lingerFrom writes
// or more, waits up to lingerMax for the rest: the writers of the batch
// before were answered together and are likely on their way back (a
// client publishing at concurrency 8). One commit, and one fsync, then
// carries them all instead of two or three, for less CPU per write
// (docs/benchmarks.md). Writes that come one at a time never wait.
const (
	lingerFrom = 3
	lingerMax  = 250 * time.Microsecond
)

// gather adds requests to batch as they arrive until it has want of them
// or w.linger has passed.
func (w *writer) gather(batch []*writeRequest, want int) []*writeRequest {
	t := time.NewTimer(w.linger)
	defer t.Stop()
	for len(batch) < want {
		select {
		case req := <-w.queue:
			batch = append(batch, req)
		case <-t.C:
			return batch
		}
	}
	return batch
}

// drain commits what was queued before stop so no accepted write is lost.
func (w *writer) drain() {
	for {
		batch := w.fill(nil)
		if len(batch) == 0 {
			return
		}
		w.commit(batch)
	}
}

func (w *writer) commit(batch []*writeRequest) {
	start := time.Now()
	errs := make([]error, len(batch))
	var stored int
	var err error = errStorageFull
	if w.admit() {
		stored, err = w.runBatch(batch, errs)
	}
	took := time.Since(start)
	// A full disk can fail the commit, or one request's statement, after
	// which SQLite rolls back the whole transaction and the batch fails with
	// whatever came next: every write of such a batch gets the one clear
	// storage-full error, by SQLite's result code. So does a batch refused
	// for lack of room (see full.go).
	full := err == errStorageFull || isFull(err)
	for _, e := range errs {
		full = full || isFull(e)
	}
	w.observeSpace(full, err == nil && stored > 0)
	w.requests.Add(uint64(len(batch)))
	w.commits.Add(1)
	w.commitNanos.Add(int64(took))
	if w.onCommit != nil {
		w.onCommit(len(batch), took)
	}
	w.lastBatch.Store(int64(len(batch)))
	if int64(len(batch)) > w.maxBatch.Load() {
		w.maxBatch.Store(int64(len(batch)))
	}
	for i, req := range batch {
		if err != nil {
			errs[i] = err
		}
		if full && (err != nil || isFull(errs[i])) {
			errs[i] = errStorageFull
		}
		if errs[i] != nil {
			w.failed.Add(1)
		}
		req.done <- errs[i]
	}
}

// runBatch runs every request in one transaction and returns how many of
// them it committed. With more than one request each runs inside a
// savepoint, so one failing request rolls back only its own statements and
// the others still commit.
func (w *writer) runBatch(batch []*writeRequest, errs []error) (int, error) {
	tx, err := w.conn.Begin()
	if err != nil {
		return 0, fmt.Errorf("begin write: %w", err)
	}
	if w.begin != "" {
		if err := w.exec(tx, w.begin); err != nil {
			_ = tx.Rollback()
			return 0, fmt.Errorf("take the write lock: %w", err)
		}
	}
	savepoints := len(batch) > 1
	ok := 0
	for i, req := range batch {
		if req.ctx.Err() != nil {
			errs[i] = req.ctx.Err()
			continue
		}
		if !savepoints {
			if errs[i] = req.fn(tx); errs[i] != nil {
				_ = tx.Rollback()
				return 0, nil
			}
			ok++
			continue
		}
		if err := w.exec(tx, "SAVEPOINT w"); err != nil {
			_ = tx.Rollback()
			return 0, fmt.Errorf("savepoint: %w", err)
		}
		if errs[i] = req.fn(tx); errs[i] != nil {
			if err := w.exec(tx, "ROLLBACK TO w"); err != nil {
				_ = tx.Rollback()
				return 0, fmt.Errorf("rollback to savepoint: %w", err)
			}
		} else {
			ok++
		}
		if err := w.exec(tx, "RELEASE w"); err != nil {
			_ = tx.Rollback()
			return 0, fmt.Errorf("release savepoint: %w", err)
		}
	}
	if ok == 0 {
		_ = tx.Rollback()
		return 0, nil
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit: %w", err)
	}
	return ok, nil
}

func (w *writer) statsSnapshot() WriterStats {
	return WriterStats{
		Requests:      w.requests.Load(),
		Commits:       w.commits.Load(),
		Failed:        w.failed.Load(),
		CommitSeconds: time.Duration(w.commitNanos.Load()).Seconds(),
		LastBatch:     int(w.lastBatch.Load()),
		MaxBatch:      int(w.maxBatch.Load()),
	}
}
