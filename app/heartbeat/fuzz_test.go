package heartbeat_test

import (
	"context"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/heartbeat"
	"github.com/belfry/belfry/db"
)

// FuzzCreate feeds what a client may send on create: a refusal is
// EINVALID (a 400), and what is accepted is stored as given and gets a
// deadline in the future after its first ping.
func FuzzCreate(f *testing.F) {
	f.Add("Backup", int64(3600), "", "", int64(300), "", "")
	f.Add("Nightly", int64(0), "30 2 * * *", "Europe/Paris", int64(60), "job_failed", "warning")
	f.Add("x", int64(59), "", "", int64(-1), "nope", "fatal")
	f.Add("cron", int64(0), "@every 1h", "UTC", int64(0), "", "info")
	f.Add("tz", int64(0), "CRON_TZ=UTC 0 3 * * *", "Mars/Olympus", int64(0), "", "")
	f.Add("feb30", int64(0), "0 0 30 2 *", "", int64(0), "", "")
	d := apptest.OpenDB(f)
	types, err := app.NewTypes(nil)
	if err != nil {
		f.Fatal(err)
	}
	clock := clocktest.New()
	users := db.NewUserStore(d)
	owner := apptest.User(f, users, "owner", false)
	s := heartbeat.New(heartbeat.Deps{Timezone: "UTC", Types: types, Store: db.NewHeartbeatStore(d), Users: users,
		Clock: clock, Logger: apptest.Logger()})
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, name string, period int64, schedule, tz string, grace int64, typ, level string) {
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("took %v", d)
			}
		}()
		lv := app.Level(level)
		in := heartbeat.Input{Name: &name, Schedule: &schedule, Timezone: &tz, GraceSeconds: &grace, Type: &typ, Level: &lv}
		if period != 0 {
			in.PeriodSeconds = &period
		}
		h, err := s.Create(ctx, owner.ID, in)
		if err != nil {
			if app.ErrorKind(err) != app.EINVALID {
				t.Fatalf("refused with %v (%s), want EINVALID", err, app.ErrorKind(err))
			}
			return
		}
		defer func() { _ = s.Delete(ctx, owner.ID, h.ID) }()
		got, _, err := s.Get(ctx, owner.ID, h.ID, 1)
		if err != nil || got.Name != h.Name || got.Schedule != h.Schedule || got.Period != h.Period || got.Grace != h.Grace ||
			got.Timezone != h.Timezone || got.Type != h.Type || got.Level != h.Level {
			t.Fatalf("stored %+v, created %+v (%v)", got, h, err)
		}
		up, err := s.Signal(ctx, h.Key, app.HeartbeatPing{Kind: app.SignalSuccess})
		if err != nil {
			t.Fatalf("ping: %v", err)
		}
		if up.State != app.HeartbeatUp || up.Deadline == nil || !up.Deadline.After(clock.Now().Add(-time.Second)) {
			t.Fatalf("after a ping: %+v", up)
		}
	})
}
