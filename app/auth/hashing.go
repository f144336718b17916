package auth

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
)

// hashSlots bounds the argon2id hashes computed at once: each takes
// argonMemory (19 MiB), so 256 concurrent logins would take ~5 GiB. A hash
// waits for a free slot for at most timeout, then is refused EUNAVAILABLE.
type hashSlots struct {
	slots   chan struct{}
	timeout time.Duration
	clock   clock.Clock

	running, waiting atomic.Int64
	refused          atomic.Uint64
}

// newHashSlots returns n slots (n < 1: twice the number of CPUs) with a
// wait of at most timeout (timeout <= 0: no wait at all).
func newHashSlots(n int, timeout time.Duration, c clock.Clock) *hashSlots {
	if n < 1 {
		n = 2 * runtime.NumCPU()
	}
	return &hashSlots{slots: make(chan struct{}, n), timeout: timeout, clock: c}
}

// do runs fn, which computes a hash, in a slot. It returns EUNAVAILABLE,
// with a RetryAfter, when no slot came free in time or ctx ended first.
func (h *hashSlots) do(ctx context.Context, fn func()) error {
	if err := h.acquire(ctx); err != nil {
		return err
	}
	h.running.Add(1)
	defer func() {
		h.running.Add(-1)
		<-h.slots
	}()
	fn()
	return nil
}

func (h *hashSlots) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	h.waiting.Add(1)
	defer h.waiting.Add(-1)
	expired := make(chan struct{})
	t := h.clock.AfterFunc(h.timeout, func() { close(expired) })
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-expired:
	case <-ctx.Done():
	}
	h.refused.Add(1)
	return &app.Error{Kind: app.EUNAVAILABLE, RetryAfter: max(h.timeout, time.Second),
		Message: "Too many sign-ins are being checked right now. Please try again in a few seconds."}
}
