// Package clocktest provides a fake clock.Clock for tests.
package clocktest

import (
	"sort"
	"sync"
	"time"

	"github.com/belfry/belfry/app/clock"
)

// Fake is a clock that moves only when a test calls Advance. Due AfterFunc
// callbacks run synchronously inside Advance, in time order, without the
// clock's lock held; a callback scheduled for now or the past runs at once
// in its own goroutine, as time.AfterFunc would.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	timers []*timer
}

var _ clock.Clock = (*Fake)(nil)

type timer struct {
	c     *Fake
	at    time.Time
	f     func()
	state int // 0 pending, 1 stopped, 2 fired
}

// New returns a Fake clock set to 1 March 2026, 12:00 UTC.
func New() *Fake { return At(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) }

// At returns a Fake clock set to t.
func At(t time.Time) *Fake { return &Fake{now: t} }

// Set moves the clock to t, forwards or back, and runs the callbacks that
// fell due.
func (c *Fake) Set(t time.Time) { c.Advance(t.Sub(c.Now())) }

// Now returns the fake time.
func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f for d after the fake time.
func (c *Fake) AfterFunc(d time.Duration, f func()) clock.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &timer{c: c, at: c.now.Add(d), f: f}
	if d <= 0 {
		t.state = 2
		go f()
		return t
	}
	c.timers = append(c.timers, t)
	return t
}

func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.state != 0 {
		return false
	}
	t.state = 1
	return true
}

// Advance moves the clock by d and runs the callbacks that fell due.
func (c *Fake) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due, rest []*timer
	for _, t := range c.timers {
		switch {
		case t.state != 0:
		case !t.at.After(c.now):
			t.state = 2
			due = append(due, t)
		default:
			rest = append(rest, t)
		}
	}
	c.timers = rest
	c.mu.Unlock()
	sort.SliceStable(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, t := range due {
		t.f()
	}
}

// Pending counts the timers not yet fired or stopped.
func (c *Fake) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if t.state == 0 {
			n++
		}
	}
	return n
}
