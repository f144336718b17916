package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// insertKey is a write that stores one row of the test table kv.
func insertKey(key string) func(tx *sql.Tx) error {
	return func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO kv (k) VALUES (?)`, key)
		return err
	}
}

// withKV adds the scratch table kv the writer tests write to.
func withKV(t *testing.T, d *DB) {
	t.Helper()
	err := d.Write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`CREATE TABLE kv (k TEXT PRIMARY KEY)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func countKV(t *testing.T, d *DB) int {
	t.Helper()
	var n int
	if err := d.read.QueryRow(`SELECT COUNT(*) FROM kv`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// blockWriter submits a write that holds the writer until release is
// called, and returns once the writer is inside it. Writes submitted
// meanwhile queue up and are carried by the next commit together.
func blockWriter(t *testing.T, d *DB) (release func()) {
	t.Helper()
	inside, gate, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- d.Write(context.Background(), func(tx *sql.Tx) error {
			close(inside)
			<-gate
			return insertKey("blocker")(tx)
		})
	}()
	<-inside
	return func() {
		close(gate)
		if err := <-done; err != nil {
			t.Errorf("blocking write: %v", err)
		}
	}
}

// waitQueued waits until n writes wait in the writer's queue.
func waitQueued(d *DB, n int) {
	for len(d.writer.queue) < n {
		runtime.Gosched()
	}
}

func TestWriter_ConcurrentWritesAllLand(t *testing.T) {
	d, _ := mustOpen(t)
	withKV(t, d)
	const writers = 64
	release := blockWriter(t, d)
	before := d.WriterStats()
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() { errs <- d.Write(context.Background(), insertKey(fmt.Sprint(i))) })
	}
	waitQueued(d, writers)
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := countKV(t, d); n != writers+1 {
		t.Fatalf("%d rows landed, want %d", n, writers+1)
	}
	st := d.WriterStats()
	requests, commits := st.Requests-before.Requests, st.Commits-before.Commits
	if requests != writers+1 || commits >= requests || st.MaxBatch < writers {
		t.Fatalf("requests %d, commits %d, max batch %d: writes were not grouped", requests, commits, st.MaxBatch)
	}
}

func TestWriter_FailureRollsBackOnlyItsOwnWork(t *testing.T) {
	d, _ := mustOpen(t)
	withKV(t, d)
	boom := errors.New("boom")
	release := blockWriter(t, d)
	results := make([]chan error, 5)
	for i := range results {
		results[i] = make(chan error, 1)
		fn := insertKey(fmt.Sprint(i))
		if i == 2 {
			// Writes a row, then fails: the row must be rolled back.
			fn = func(tx *sql.Tx) error {
				if err := insertKey("doomed")(tx); err != nil {
					return err
				}
				return boom
			}
		}
		go func() { results[i] <- d.Write(context.Background(), fn) }()
		waitQueued(d, i+1)
	}
	release()
	for i, ch := range results {
		if err := <-ch; (i == 2) != errors.Is(err, boom) {
			t.Fatalf("write %d returned %v", i, err)
		}
	}
	if st := d.WriterStats(); st.LastBatch != 5 || st.Failed != 1 {
		t.Fatalf("stats %+v: the five writes were not one batch with one failure", st)
	}
	var doomed int
	d.read.QueryRow(`SELECT COUNT(*) FROM kv WHERE k = 'doomed'`).Scan(&doomed)
	if n := countKV(t, d); n != 5 || doomed != 0 {
		t.Fatalf("%d rows (doomed %d), want 5: blocker and the four good writes", n, doomed)
	}
}

func TestWriter_SingleFailureRollsBack(t *testing.T) {
	d, _ := mustOpen(t)
	withKV(t, d)
	err := d.Write(context.Background(), func(tx *sql.Tx) error {
		if err := insertKey("a")(tx); err != nil {
			return err
		}
		return insertKey("a")(tx)
	})
	if !isUniqueViolation(err) {
		t.Fatalf("err = %v, want a unique violation", err)
	}
	if n := countKV(t, d); n != 0 {
		t.Fatalf("%d rows survived a failed write", n)
	}
}

func TestWriter_CancelledBeforeRunIsSkipped(t *testing.T) {
	d, _ := mustOpen(t)
	withKV(t, d)
	release := blockWriter(t, d)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Write(ctx, insertKey("late")) }()
	waitQueued(d, 1)
	cancel()
	release()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := countKV(t, d); n != 1 {
		t.Fatalf("%d rows, want only the blocker", n)
	}
}

func TestWriter_CloseDrainsQueue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "drain.db")
	d := openAt(t, path, "full")
	withKV(t, d)
	release := blockWriter(t, d)
	const queued = 20
	errs := make(chan error, queued)
	for i := range queued {
		go func() { errs <- d.Write(context.Background(), insertKey(fmt.Sprint(i))) }()
	}
	waitQueued(d, queued)
	closed := make(chan error, 1)
	go func() { closed <- d.Close() }()
	<-d.writer.quit // Close has begun before the writer is released.
	release()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	for range queued {
		if err := <-errs; err != nil {
			t.Fatalf("queued write failed: %v", err)
		}
	}
	if err := d.Write(context.Background(), insertKey("after")); !errors.Is(err, errWriterStopped) {
		t.Fatalf("write after close = %v, want errWriterStopped", err)
	}
	d = openAt(t, path, "full")
	defer d.Close()
	if n := countKV(t, d); n != queued+1 {
		t.Fatalf("%d rows after reopen, want %d", n, queued+1)
	}
}

// TestWriter_GathersTheWritersOfTheBatchBefore checks that after a batch of
// three, writes that arrive one by one wait for each other and commit
// together, and that a lone write still commits once the wait is over.
func TestWriter_GathersTheWritersOfTheBatchBefore(t *testing.T) {
	d, _ := mustOpen(t)
	withKV(t, d)
	writeAll := func(keys []string, apart time.Duration) {
		t.Helper()
		errs := make(chan error, len(keys))
		for _, k := range keys {
			go func() { errs <- d.Write(context.Background(), insertKey(k)) }()
			time.Sleep(apart)
		}
		for range keys {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	}
	// A batch of three: they queue while the writer is held.
	release := blockWriter(t, d)
	errs := make(chan error, 3)
	for _, k := range []string{"a", "b", "c"} {
		go func() { errs <- d.Write(context.Background(), insertKey(k)) }()
	}
	waitQueued(d, 3)
	release()
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if st := d.WriterStats(); st.LastBatch != 3 {
		t.Fatalf("last batch %d, want 3", st.LastBatch)
	}

	// Three writes 20 ms apart, with a wait long enough for all: one commit.
	d.writer.linger = time.Minute
	before := d.WriterStats()
	writeAll([]string{"d", "e", "f"}, 20*time.Millisecond)
	if st := d.WriterStats(); st.Commits-before.Commits != 1 || st.LastBatch != 3 {
		t.Fatalf("%d commits, last batch %d: the writes were not gathered", st.Commits-before.Commits, st.LastBatch)
	}

	// A lone write commits when the wait is over.
	d.writer.linger = time.Millisecond
	writeAll([]string{"g"}, 0)
	if st := d.WriterStats(); st.LastBatch != 1 {
		t.Fatalf("last batch %d, want 1", st.LastBatch)
	}
	if n := countKV(t, d); n != 8 {
		t.Fatalf("%d rows, want 8", n)
	}
}
