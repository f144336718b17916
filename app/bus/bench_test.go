package bus_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/bus/bustest"
)

// BenchmarkTopic publishes notification-created changes (with the
// notification, the largest message) on one replica and waits until the
// subscriber of another replica has them all: the in-process bus against
// NATS between two replicas (two connections to one embedded server).
// It reports changes/s delivered.
func BenchmarkTopic(b *testing.B) {
	n := &app.Notification{ID: "01JF0000000000000000000000", UserID: "01JF0000000000000000000001", Type: "job_failed",
		Level: app.LevelError, Title: "Backup failed", Body: "The nightly backup of /srv failed: disk full.",
		Data: json.RawMessage(`{"job":"nightly"}`), Status: "pending", CreatedAt: time.Now().UTC()}
	change := app.Change{Kind: app.ChangeCreated, UserID: n.UserID, ID: n.ID, Notification: n, Toast: true}
	// At most window changes are in flight, below the subscription's
	// pending limit: NATS drops what a slow consumer does not take.
	const window = 4096
	run := func(b *testing.B, from, to *bus.Bus, flush func()) {
		got := make(chan struct{}, 1)
		slots := make(chan struct{}, window)
		var seen int
		to.Subscribe(func(app.Change) {
			<-slots
			seen++
			if seen == b.N {
				got <- struct{}{}
			}
		})
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		for range b.N {
			slots <- struct{}{}
			from.Publish(context.Background(), change)
		}
		flush()
		<-got
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "changes/s")
	}
	b.Run("in-process", func(b *testing.B) {
		t := bus.New()
		run(b, t, t, func() {})
	})
	b.Run("nats-2-replicas", func(b *testing.B) {
		nats := bustest.Start(b)
		a, c := replica(b, nats.URL, "bench"), replica(b, nats.URL, "bench")
		from, to := bus.Open[app.Change](a, "changes"), bus.Open[app.Change](c, "changes")
		if err := c.Flush(5 * time.Second); err != nil {
			b.Fatal(err)
		}
		run(b, from, to, func() { _ = a.Flush(10 * time.Second) })
	})
}
