package heartbeat_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/heartbeat"
)

// BenchmarkTenThousandChecks is the cost of 10,000 active checks, each
// expecting a ping an hour, pinged on time and spread evenly over the
// hour: one iteration is one simulated second, with the pings due in it.
// It reports the timer's wake-ups per simulated minute (one timer for the
// earliest deadline, rounded up to the second: about one per grace time,
// at most 60), the heap the service holds per check (the state is in
// SQLite), and the pings handled per real second.
func BenchmarkTenThousandChecks(b *testing.B) {
	for _, grace := range []int64{60, 1} {
		b.Run(fmt.Sprintf("grace=%ds", grace), func(b *testing.B) { benchChecks(b, grace) })
	}
}

func benchChecks(b *testing.B, grace int64) {
	const checks = 10000
	const period = time.Hour
	ctx := context.Background()
	f := &fixture{t: b, clock: clocktest.New(), tz: "UTC", dbPath: b.TempDir() + "/belfry.db"}
	f.start()
	// MaxHeartbeatsPerUser each.
	users := make([]*app.User, checks/app.MaxHeartbeatsPerUser)
	for i := range users {
		users[i] = f.app.User(fmt.Sprintf("user%d", i), false)
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	keys := make([]string, checks)
	name, secs := "", int64(period/time.Second)
	for i := range keys {
		name = fmt.Sprintf("check %d", i)
		h, err := f.app.Heartbeats.Create(ctx, users[i%len(users)].ID, heartbeat.Input{Name: &name, PeriodSeconds: &secs, GraceSeconds: &grace})
		if err != nil {
			b.Fatal(err)
		}
		keys[i] = h.Key
	}
	// check i is pinged at second i*3600/checks of every hour.
	slot := func(i int) int { return i * int(period/time.Second) / checks }
	bySecond := map[int][]string{}
	for i, k := range keys {
		bySecond[slot(i)] = append(bySecond[slot(i)], k)
	}
	second := 0
	tick := func() {
		f.clock.Advance(time.Second)
		second = (second + 1) % int(period/time.Second)
		for _, k := range bySecond[second] {
			if _, err := f.app.Heartbeats.Signal(ctx, k, app.HeartbeatPing{Kind: app.SignalSuccess}); err != nil {
				b.Fatal(err)
			}
		}
		// Let the deadline loop catch up, as it would in a real second.
		for !f.app.Heartbeats.Idle(ctx) {
			runtime.Gosched()
		}
	}
	// The first hour makes every check up, spread over the hour.
	for range int(period / time.Second) {
		tick()
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	startWakeups := f.app.Heartbeats.Wakeups()

	b.ResetTimer()
	for b.Loop() {
		tick()
	}
	b.StopTimer()
	simulated := float64(b.N) / 60
	b.ReportMetric(float64(f.app.Heartbeats.Wakeups()-startWakeups)/simulated, "wakeups/min")
	b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/checks, "heap-B/check")
	b.ReportMetric(float64(b.N)*checks/float64(period/time.Second)/b.Elapsed().Seconds(), "pings/s")
	for _, u := range users {
		hs, err := f.app.Heartbeats.List(ctx, u.ID)
		if err != nil || countState(hs, app.HeartbeatUp) != app.MaxHeartbeatsPerUser {
			b.Fatalf("%d of %s's checks up, %v", countState(hs, app.HeartbeatUp), u.Username, err)
		}
	}
}

func countState(hs []*app.Heartbeat, s app.HeartbeatState) int {
	n := 0
	for _, h := range hs {
		if h.State == s {
			n++
		}
	}
	return n
}
