package clock

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Alarm is one timer for the earliest of many deadlines kept elsewhere (a
// table of heartbeat deadlines, of scheduled deliveries): Run does the
// work that is due, reads the earliest deadline left and waits for it,
// rounded up to the second so that deadlines of the same second share a
// wake-up. A deadline set earlier than the one waited for wakes Run
// (Changed). It is safe for concurrent use.
type Alarm struct {
	clock Clock
	wake  chan struct{}
	// armed is the deadline (Unix ms) the timer waits for, 0 for none. mu
	// guards it and timer.
	mu      sync.Mutex
	armed   int64
	timer   Timer
	wakeups atomic.Int64
}

// AlarmJob is what an Alarm runs.
type AlarmJob struct {
	// Due does the work due at now.
	Due func(ctx context.Context, now time.Time) error
	// Next returns the earliest deadline left; false when there is none.
	Next func(ctx context.Context) (time.Time, bool, error)
	// Retry is when to look again after an error of Due or Next.
	Retry time.Duration
	// Failed reports an error of Due or Next (not one from ctx's end).
	Failed func(err error)
}

// NewAlarm returns an Alarm on c.
func NewAlarm(c Clock) *Alarm { return &Alarm{clock: c, wake: make(chan struct{}, 1)} }

// Run does job's due work and waits for its next deadline, again and
// again, until ctx ends.
func (a *Alarm) Run(ctx context.Context, job AlarmJob) {
	for {
		a.step(ctx, job)
		select {
		case <-ctx.Done():
			a.mu.Lock()
			if a.timer != nil {
				a.timer.Stop()
			}
			a.mu.Unlock()
			return
		case <-a.wake:
		}
	}
}

func (a *Alarm) step(ctx context.Context, job AlarmJob) {
	err := job.Due(ctx, a.clock.Now().UTC())
	if err != nil && ctx.Err() != nil {
		return
	}
	if err != nil {
		job.Failed(err)
	}
	// The earliest deadline is read and armed under mu, which Changed
	// takes to compare a new deadline with it: a deadline written after
	// the read is seen by Changed, one written before by the read.
	a.mu.Lock()
	defer a.mu.Unlock()
	next, ok, nerr := job.Next(ctx)
	if nerr != nil && ctx.Err() == nil {
		job.Failed(nerr)
	}
	now := a.clock.Now().UTC()
	if err != nil || nerr != nil {
		next, ok = now.Add(job.Retry), true
	}
	if a.timer != nil {
		a.timer.Stop()
		a.timer = nil
	}
	a.armed = 0
	if !ok {
		return
	}
	at := next.Truncate(time.Second)
	if at.Before(next) {
		at = at.Add(time.Second)
	}
	a.armed = next.UnixMilli()
	a.timer = a.clock.AfterFunc(at.Sub(now), func() {
		a.wakeups.Add(1)
		a.Kick()
	})
}

// Changed tells Run that a deadline is now t: one earlier than the timer
// waits for wakes it.
func (a *Alarm) Changed(t time.Time) {
	a.mu.Lock()
	armed := a.armed
	a.mu.Unlock()
	if armed == 0 || t.UnixMilli() < armed {
		a.Kick()
	}
}

// Kick makes Run look at the deadlines again.
func (a *Alarm) Kick() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// Armed is the deadline (Unix ms) the timer waits for, 0 for none.
func (a *Alarm) Armed() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.armed
}

// Wakeups counts the timer's firings.
func (a *Alarm) Wakeups() int64 { return a.wakeups.Load() }
