package channels

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/belfry/belfry/app"
)

// seqLog records publications.
type seqLog struct {
	mu   sync.Mutex
	seqs []int64
}

func (l *seqLog) publish(seq int64) func() {
	return func() {
		l.mu.Lock()
		l.seqs = append(l.seqs, seq)
		l.mu.Unlock()
	}
}

func (l *seqLog) got() []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.seqs)
}

func mustAcquire(t *testing.T, q *sequencer, id string) *stream {
	t.Helper()
	st, err := q.acquire(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestChannelSequencer_Reorders(t *testing.T) {
	reads := 0
	q := newSequencer(func(context.Context, string) (int64, error) { reads++; return 10, nil }, nil)
	var log seqLog
	a, b, c := mustAcquire(t, q, "ch"), mustAcquire(t, q, "ch"), mustAcquire(t, q, "ch")
	q.release(c, 13, log.publish(13))
	q.release(b, 12, log.publish(12))
	if got := log.got(); len(got) != 0 {
		t.Fatalf("published %v before 11", got)
	}
	q.release(a, 11, log.publish(11))
	if got := log.got(); !slices.Equal(got, []int64{11, 12, 13}) {
		t.Fatalf("published %v", got)
	}
	d := mustAcquire(t, q, "ch") // the stream is kept: no second read
	q.release(d, 0, nil)         // a write that failed publishes nothing
	if reads != 1 {
		t.Fatalf("%d reads of the sequence", reads)
	}
}

func TestChannelSequencer_GapFlushed(t *testing.T) {
	var gaps [][2]int64
	q := newSequencer(func(context.Context, string) (int64, error) { return 0, nil },
		func(_ string, from, to int64) { gaps = append(gaps, [2]int64{from, to}) })
	var log seqLog
	a, b := mustAcquire(t, q, "ch"), mustAcquire(t, q, "ch")
	q.release(a, 3, log.publish(3)) // 1 and 2 never come
	if got := log.got(); len(got) != 0 {
		t.Fatalf("published %v while a write was in flight", got)
	}
	q.release(b, 0, nil)
	if got := log.got(); !slices.Equal(got, []int64{3}) || len(gaps) != 1 || gaps[0] != [2]int64{1, 2} {
		t.Fatalf("published %v, gaps %v", got, gaps)
	}
	c := mustAcquire(t, q, "ch")
	q.release(c, 4, log.publish(4))
	if got := log.got(); !slices.Equal(got, []int64{3, 4}) {
		t.Fatalf("published %v", got)
	}
}

func TestChannelSequencer_BaseRead(t *testing.T) {
	release := make(chan struct{})
	reads := 0
	q := newSequencer(func(_ context.Context, id string) (int64, error) {
		reads++
		if id == "gone" {
			return 0, app.Errorf(app.ENOTFOUND, "Channel not found.")
		}
		<-release
		return 5, nil
	}, nil)
	t.Run("WaitersWaitForTheRead", func(t *testing.T) {
		first := make(chan *stream)
		go func() { first <- mustAcquire(t, q, "ch") }()
		second := make(chan *stream)
		go func() {
			// Whichever goroutine creates the stream reads; the other waits.
			second <- mustAcquire(t, q, "ch")
		}()
		close(release)
		a, b := <-first, <-second
		if a != b || a.next != 6 || reads != 1 {
			t.Fatalf("streams %p %p, next %d, reads %d", a, b, a.next, reads)
		}
		q.release(a, 0, nil)
		q.release(b, 0, nil)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		for range 2 {
			_, err := q.acquire(context.Background(), "gone")
			if app.ErrorKind(err) != app.ENOTFOUND {
				t.Fatalf("got %v", err)
			}
		}
		if reads != 3 { // a failed read is not remembered
			t.Fatalf("%d reads", reads)
		}
	})
	t.Run("ErrContext", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		st := mustAcquire(t, q, "ch") // ready: a done context does not matter
		q.release(st, 0, nil)
		block := newSequencer(func(ctx context.Context, _ string) (int64, error) { <-ctx.Done(); return 0, ctx.Err() }, nil)
		go block.acquire(context.Background(), "slow") // holds the read
		for {
			block.mu.Lock()
			_, started := block.streams["slow"]
			block.mu.Unlock()
			if started {
				break
			}
		}
		if _, err := block.acquire(ctx, "slow"); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestChannelSequencer_FinishForgets(t *testing.T) {
	reads := 0
	q := newSequencer(func(context.Context, string) (int64, error) { reads++; return 0, nil }, nil)
	var log seqLog
	a := mustAcquire(t, q, "ch")
	q.release(a, 1, func() { a.finish(); log.publish(1)() })
	b := mustAcquire(t, q, "ch")
	if b == a || reads != 2 {
		t.Fatalf("a deleted channel's stream was reused (reads %d)", reads)
	}
	q.release(b, 0, nil)
}
