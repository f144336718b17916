// Package clock is the source of time of the real-time services: their
// timers (storm backoff, trailing refreshes, typing expiry) go through a
// Clock so that tests can drive them with clocktest.Fake instead of sleeping.
package clock

import "time"

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

// Real is the wall clock; NowFunc, when set, replaces time.Now.
type Real struct {
	NowFunc func() time.Time
}

// Now returns the current time.
func (c Real) Now() time.Time {
	if c.NowFunc != nil {
		return c.NowFunc()
	}
	return time.Now()
}

// AfterFunc is time.AfterFunc.
func (Real) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(d, f)
}
