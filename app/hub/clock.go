package hub

import "time"

// Clock is the hub's source of time: storm windows, the per-socket backoff
// and the trailing refresh all read it, so a test can drive a storm
// deterministically by advancing a fake clock instead of sleeping.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed. The hub's
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

// realClock is the wall clock, with an optional replacement for Now.
type realClock struct {
	now func() time.Time
}

func (c realClock) Now() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func (realClock) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(d, f)
}
