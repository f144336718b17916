package escalation_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/escalation"
	"github.com/belfry/belfry/app/server/servertest"
)

// BenchmarkTenThousandLadders is the cost of 10,000 pending escalations:
// 100 users with a rule "an error not read within 60 min: repeat", and
// 100 errors each, created evenly over one hour (one every 0.36 s), so
// that their steps fall due evenly over the next. One iteration is one
// simulated second of that second hour, with the steps due in it (run it
// with -benchtime=3600x for the whole hour). It reports the timer's
// wake-ups per simulated minute (one timer for the earliest step,
// spaced by at least a second: at most 60, against 167 steps due per
// minute), the heap the application holds per pending ladder (the state
// is in SQLite), and the steps taken per real second.
func BenchmarkTenThousandLadders(b *testing.B) {
	const users, each = 100, 100
	ctx := context.Background()
	clock := clocktest.New()
	a := servertest.New(b, servertest.WithClock(clock), servertest.WithConfig(func(c *app.Config) {
		c.Database.Path = filepath.Join(b.TempDir(), "belfry.db")
		c.Storm.Enabled = false
	}))
	names := make([]string, users)
	for i := range names {
		u := a.User(fmt.Sprintf("user%d", i), false)
		names[i] = u.Username
		if _, err := a.Escalation.Create(ctx, u, escalationRule()); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	spacing := time.Hour / (users * each)
	for i := range users * each {
		ev := &app.Event{Type: "job_failed", Level: app.LevelError, Title: fmt.Sprintf("Backup %d failed", i), Users: []string{names[i%users]}}
		if _, err := a.Dispatcher.Notify(ctx, nil, ev); err != nil {
			b.Fatal(err)
		}
		clock.Advance(spacing)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	start := a.Escalation.Wakeups()
	b.ResetTimer()
	began := time.Now()
	for range b.N {
		clock.Advance(time.Second)
		for !a.Escalation.Idle(ctx) {
			runtime.Gosched()
		}
	}
	elapsed := time.Since(began)
	b.StopTimer()
	var done int
	if err := a.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM escalations WHERE state = 'done'`).Scan(&done); err != nil {
		b.Fatal(err)
	}
	minutes := float64(b.N) / 60
	b.ReportMetric(float64(a.Escalation.Wakeups()-start)/minutes, "wakeups/min")
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(users*each), "heap-B/ladder")
	b.ReportMetric(float64(done)/elapsed.Seconds(), "steps/s")
	b.ReportMetric(float64(done), "steps")
}

func escalationRule() escalation.RuleInput {
	return escalation.RuleInput{MinLevel: app.LevelError, Steps: []app.EscalationStep{{DelayMinutes: 60, Action: app.EscalateRepeat}}}
}
