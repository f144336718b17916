// Package clock is Belfry's one source of time: every service that reads the
// time or sets a timer (storm backoff, trailing refreshes, typing expiry,
// rate limits, webhook retries, the weekly report, retention) takes a Clock,
// so that tests drive them all with clocktest.Fake instead of sleeping.
package clock

import (
	"context"
	"time"
)

// Clock tells the time and schedules calls.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed. Callers'
	// callbacks only enqueue work, so an implementation may also call f
	// synchronously from whatever advances its time.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop prevents the call if it has not started; it reports whether it
	// did. A call that already started is not waited for.
	Stop() bool
}

// Real is the wall clock.
type Real struct{}

// Now returns the current time.
func (Real) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc.
func (Real) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(d, f)
}

// Sleep waits until d has passed on c (d < 0: no timeout), wake receives,
// or ctx ends, and reports whether ctx is still on: the wait of a service
// whose one timer waits for its next deadline.
func Sleep(ctx context.Context, c Clock, d time.Duration, wake <-chan struct{}) bool {
	fired := make(chan struct{})
	if d >= 0 {
		t := c.AfterFunc(d, func() { close(fired) })
		defer t.Stop()
	}
	select {
	case <-ctx.Done():
	case <-wake:
	case <-fired:
	}
	return ctx.Err() == nil
}
