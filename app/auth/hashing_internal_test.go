package auth

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock/clocktest"
)

// until waits for cond, which another goroutine makes true.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i > 1_000_000 {
			t.Fatalf("never: %s", what)
		}
		runtime.Gosched()
	}
}

// TestHashSlotsQueueThenRefuse holds the only slot with a hash that the
// test ends (an injected stall): a second hash waits its turn and runs when
// the slot comes free; a third, still waiting when the queue timeout has
// passed on the clock, is refused EUNAVAILABLE with a Retry-After.
func TestHashSlotsQueueThenRefuse(t *testing.T) {
	clock := clocktest.New()
	h := newHashSlots(1, 5*time.Second, clock)
	ctx := context.Background()
	stall := make(chan struct{})
	first := make(chan error)
	go func() { first <- h.do(ctx, func() { <-stall }) }()
	until(t, "the first hash runs", func() bool { return h.running.Load() == 1 })

	// Queued: runs once the first ends, however long that takes.
	ran := make(chan struct{})
	second := make(chan error)
	go func() { second <- h.do(ctx, func() { close(ran) }) }()
	until(t, "the second hash waits", func() bool { return h.waiting.Load() == 1 })
	clock.Advance(4 * time.Second)
	close(stall)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatalf("queued hash: %v", err)
	}
	<-ran

	// Refused: the slot stays taken past the timeout.
	stall = make(chan struct{})
	go func() { first <- h.do(ctx, func() { <-stall }) }()
	until(t, "a hash runs", func() bool { return h.running.Load() == 1 })
	third := make(chan error)
	go func() { third <- h.do(ctx, func() { t.Error("a refused hash ran") }) }()
	until(t, "the third hash waits", func() bool { return h.waiting.Load() == 1 })
	// Its queue timer, too: it is armed just after the count goes up.
	until(t, "the third hash's queue timer", func() bool { return clock.Pending() > 0 })
	clock.Advance(5 * time.Second)
	err := <-third
	if app.ErrorKind(err) != app.EUNAVAILABLE || app.ErrorRetryAfter(err) != 5*time.Second {
		t.Fatalf("refused hash: %v (retry after %s), want unavailable, 5s", err, app.ErrorRetryAfter(err))
	}
	// A caller that goes away stops waiting too.
	cctx, cancel := context.WithCancel(ctx)
	fourth := make(chan error)
	go func() { fourth <- h.do(cctx, func() { t.Error("a cancelled hash ran") }) }()
	until(t, "the fourth hash waits", func() bool { return h.waiting.Load() == 1 })
	cancel()
	if err := <-fourth; app.ErrorKind(err) != app.EUNAVAILABLE {
		t.Fatalf("cancelled wait: %v", err)
	}
	close(stall)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if r, w, n := h.running.Load(), h.waiting.Load(), h.refused.Load(); r != 0 || w != 0 || n != 2 {
		t.Fatalf("running %d, waiting %d, refused %d; want 0, 0, 2", r, w, n)
	}
}

func TestHashSlotsDefaultToTwicePerCPU(t *testing.T) {
	if n := cap(newHashSlots(0, time.Second, clocktest.New()).slots); n != 2*runtime.NumCPU() {
		t.Fatalf("%d slots, want %d", n, 2*runtime.NumCPU())
	}
}
