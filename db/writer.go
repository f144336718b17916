package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

	requests, commits, failed atomic.Uint64
	commitNanos               atomic.Int64
	lastBatch, maxBatch       atomic.Int64
}

func newWriter(conn *sql.DB, batchMax int, onCommit func(int, time.Duration)) *writer {
	w := &writer{
		conn:     conn,
		batchMax: batchMax,
		onCommit: onCommit,
		queue:    make(chan *writeRequest, batchMax*4),
		quit:     make(chan struct{}),
		stopped:  make(chan struct{}),
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
		case <-w.quit:
			w.drain()
			return
		}
		batch = w.fill(batch)
		w.commit(batch)
	}
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
	err := w.runBatch(batch, errs)
	took := time.Since(start)
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
		if errs[i] != nil {
			w.failed.Add(1)
		}
		req.done <- errs[i]
	}
}

// runBatch runs every request in one transaction. With more than one request
// each runs inside a savepoint, so one failing request rolls back only its
// own statements and the others still commit.
func (w *writer) runBatch(batch []*writeRequest, errs []error) error {
	tx, err := w.conn.Begin()
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
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
				return nil
			}
			ok++
			continue
		}
		if _, err := tx.Exec("SAVEPOINT w"); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("savepoint: %w", err)
		}
		if errs[i] = req.fn(tx); errs[i] != nil {
			if _, err := tx.Exec("ROLLBACK TO w"); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("rollback to savepoint: %w", err)
			}
		} else {
			ok++
		}
		if _, err := tx.Exec("RELEASE w"); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("release savepoint: %w", err)
		}
	}
	if ok == 0 {
		_ = tx.Rollback()
		return nil
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
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
