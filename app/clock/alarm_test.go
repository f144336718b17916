package clock_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/clock/clocktest"
)

// deadlines is a table of deadlines the alarm serves.
type deadlines struct {
	mu   sync.Mutex
	at   []time.Time
	done []time.Time // when Due found each one due
	fail error
}

func (d *deadlines) due(_ context.Context, now time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var left []time.Time
	for _, t := range d.at {
		if t.After(now) {
			left = append(left, t)
		} else {
			d.done = append(d.done, now)
		}
	}
	d.at = left
	return nil
}

func (d *deadlines) next(context.Context) (time.Time, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fail != nil {
		return time.Time{}, false, d.fail
	}
	if len(d.at) == 0 {
		return time.Time{}, false, nil
	}
	first := d.at[0]
	for _, t := range d.at {
		if t.Before(first) {
			first = t
		}
	}
	return first, true, nil
}

func (d *deadlines) add(t time.Time) {
	d.mu.Lock()
	d.at = append(d.at, t)
	d.mu.Unlock()
}

func (d *deadlines) fired() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.done)
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestAlarm: one timer for the earliest deadline, rounded up to the
// second; an earlier deadline wakes it; deadlines of one second share a
// wake-up; a failing Next is reported and retried.
func TestAlarm(t *testing.T) {
	c := clocktest.New()
	start := c.Now()
	a := clock.NewAlarm(c)
	d := &deadlines{at: []time.Time{start.Add(time.Hour)}}
	var failures []error
	var fmu sync.Mutex
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Run(ctx, clock.AlarmJob{Due: d.due, Next: d.next, Retry: time.Minute,
			Failed: func(err error) { fmu.Lock(); failures = append(failures, err); fmu.Unlock() }})
	}()
	waitUntil(t, "armed for the hour", func() bool { return a.Armed() == start.Add(time.Hour).UnixMilli() })

	// Two deadlines in one second, earlier than the hour: one wake-up at
	// the second's end serves both.
	d.add(start.Add(10*time.Second + 100*time.Millisecond))
	d.add(start.Add(10*time.Second + 700*time.Millisecond))
	a.Changed(start.Add(10*time.Second + 100*time.Millisecond))
	waitUntil(t, "armed earlier", func() bool { return a.Armed() == start.Add(10*time.Second+100*time.Millisecond).UnixMilli() })
	c.Advance(10 * time.Second)
	time.Sleep(20 * time.Millisecond)
	if d.fired() != 0 {
		t.Fatal("fired before the second ended")
	}
	c.Advance(time.Second)
	waitUntil(t, "both fired", func() bool { return d.fired() == 2 })
	waitUntil(t, "armed for the hour again", func() bool { return a.Armed() == start.Add(time.Hour).UnixMilli() })
	if n := a.Wakeups(); n != 1 {
		t.Fatalf("%d wake-ups, want 1", n)
	}
	// A later deadline does not wake Run.
	a.Changed(start.Add(2 * time.Hour))
	if a.Armed() != start.Add(time.Hour).UnixMilli() {
		t.Fatal("a later deadline re-armed the timer")
	}

	// Next fails: reported, and looked at again after Retry.
	d.mu.Lock()
	d.fail = errors.New("disk on fire")
	d.mu.Unlock()
	a.Kick()
	waitUntil(t, "the failure reported", func() bool { fmu.Lock(); defer fmu.Unlock(); return len(failures) == 1 })
	d.mu.Lock()
	d.fail = nil
	d.mu.Unlock()
	c.Advance(time.Minute)
	waitUntil(t, "armed after the retry", func() bool { return a.Armed() == start.Add(time.Hour).UnixMilli() })

	cancel()
	<-done
	if c.Pending() != 0 {
		t.Fatalf("%d timers left after Run ended", c.Pending())
	}
}
