package schedule_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// BenchmarkTenThousandScheduled is the cost of 10,000 pending scheduled
// events of one user.
//
//   - pending: all due in two days; one iteration is one simulated minute
//     in which none is due. It reports the timer's wake-ups per simulated
//     minute (0: one timer waits for the earliest) and the heap held per
//     pending event (the events are in SQLite, not in memory).
//   - delivering: spread evenly over the next hour; one iteration is one
//     simulated second, with the events due in it delivered through the
//     dispatcher. It reports wake-ups per simulated minute (at most 60:
//     the timer rounds up to the second) and deliveries per real second.
func BenchmarkTenThousandScheduled(b *testing.B) {
	b.Run("pending", func(b *testing.B) { benchScheduled(b, 48*time.Hour, time.Minute) })
	b.Run("delivering", func(b *testing.B) { benchScheduled(b, 0, time.Second) })
}

func benchScheduled(b *testing.B, after, step time.Duration) {
	const events = 10000
	ctx := context.Background()
	f := newFixture(b)
	origin := f.clock.Now()
	start := origin
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	if step == time.Minute {
		start = start.Add(after) // none due while the benchmark runs
	}
	for i := range events {
		// Due from the first simulated second on, over an hour.
		at := start.Add(time.Second + time.Duration(i)*time.Hour/events)
		ev := &app.Event{Type: "job_failed", Title: fmt.Sprintf("event %d", i)}
		if _, err := f.app.Schedule.Schedule(ctx, f.alice, false, ev, at); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	var held runtime.MemStats
	runtime.ReadMemStats(&held)
	f.waitArmed(start.Add(time.Second))
	caughtUp := func() bool {
		a := f.app.Schedule.Armed()
		return a == 0 || a > f.clock.Now().UnixMilli()
	}
	startWakeups := f.app.Schedule.Wakeups()
	delivered := func() int {
		n, err := f.app.Schedule.List(ctx, f.alice.ID)
		if err != nil {
			b.Fatal(err)
		}
		return events - len(n)
	}

	b.ResetTimer()
	for b.Loop() {
		if step == time.Minute && f.clock.Now().After(start.Add(-time.Hour)) {
			f.clock.Set(origin) // pending stays pending, however long the run
		}
		f.clock.Advance(step)
		for !caughtUp() {
			runtime.Gosched()
		}
	}
	b.StopTimer()
	simulated := float64(b.N) * step.Minutes()
	b.ReportMetric(float64(f.app.Schedule.Wakeups()-startWakeups)/simulated, "wakeups/min")
	b.ReportMetric(float64(int64(held.HeapInuse)-int64(before.HeapInuse))/events, "heap-B/event")
	if step == time.Second {
		b.ReportMetric(float64(delivered())/b.Elapsed().Seconds(), "deliveries/s")
	} else if n := delivered(); n != 0 {
		b.Fatalf("%d delivered while none was due", n)
	}
}
