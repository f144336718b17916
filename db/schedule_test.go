package db

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// TestMigrate_ScheduledAfterLaterMigrations: a database already migrated
// to 00017 and later (quiet hours, digests, …) without 00016 gets 00016 at
// the next start — goose runs out of order here — and the store works.
func TestMigrate_ScheduledAfterLaterMigrations(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	d, _ := mustOpen(t)
	if err := d.MigrateDownTo(ctx, 15); err != nil {
		t.Fatal(err)
	}
	p, conn, err := d.provider()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	before, err := d.MigrationStatuses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range before { // every later migration, as an upgraded database has them
		if m.Version > 16 {
			if _, err := p.ApplyVersion(ctx, m.Version, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	if tableNames(t, d)["scheduled_events"] {
		t.Fatal("scheduled_events exists before 00016")
	}
	n, err := d.Migrate(ctx)
	if err != nil || n != 1 {
		t.Fatalf("migrate an 00018 database: ran %d, %v; want 00016 alone", n, err)
	}
	st, err := d.MigrationStatuses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if !s.Applied {
			t.Errorf("migration %d not applied", s.Version)
		}
	}
	alice := mustUser(t, d, "alice")
	s := NewScheduleStore(d)
	at := time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC)
	e := &app.ScheduledEvent{ID: "01960000-0000-7000-8000-000000000001", UserID: alice.ID,
		Event: app.Event{Type: "job_failed", Title: "Later", Data: json.RawMessage(`{"k":1}`), Users: []string{"alice"}}, DeliverAt: at, CreatedAt: at.Add(-time.Hour)}
	if err := s.CreateScheduled(ctx, e); err != nil {
		t.Fatal(err)
	}
	if next, ok, err := s.NextScheduled(ctx); err != nil || !ok || !next.Equal(at) {
		t.Fatalf("next %s %v %v", next, ok, err)
	}
	if due, err := s.DueScheduled(ctx, at.Add(-time.Millisecond), 10); err != nil || len(due) != 0 {
		t.Fatalf("due before: %v %v", due, err)
	}
	due, err := s.DueScheduled(ctx, at, 10)
	if err != nil || len(due) != 1 || due[0].Event.Title != "Later" || string(due[0].Event.Data) != `{"k":1}` || due[0].Event.Users[0] != "alice" {
		t.Fatalf("due at: %+v %v", due, err)
	}
	if ok, err := NewScheduleStore(d).DeleteScheduled(ctx, "someone else", e.ID); err != nil || ok {
		t.Fatalf("another user's delete: %v %v", ok, err)
	}
	// A user's deletion takes their scheduled events with it.
	if err := NewUserStore(d).DeleteUser(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.CountScheduled(ctx); err != nil || n != 0 {
		t.Fatalf("count after the user's deletion: %d %v", n, err)
	}
	if _, err := s.FindScheduled(ctx, e.ID); app.ErrorCode(err) != app.CodeScheduleMissing {
		t.Fatalf("find after deletion: %v", err)
	}
	if err := s.CreateScheduled(ctx, e); app.ErrorKind(err) != app.ENOTFOUND {
		t.Fatalf("create for a deleted user: %v", err)
	}
}

// TestScheduleStore_PerUserLimit: the MaxScheduledPerUser+1st pending
// event of one user is ECONFLICT; another user is not limited by it.
func TestScheduleStore_PerUserLimit(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	if _, err := d.write.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO scheduled_events (id, user_id, event, deliver_at, created_at) SELECT 'e' || i, ?, '{}', i, 0 FROM n`,
		app.MaxScheduledPerUser, alice.ID); err != nil {
		t.Fatal(err)
	}
	s := NewScheduleStore(d)
	e := &app.ScheduledEvent{ID: "one more", UserID: alice.ID, Event: app.Event{Type: "job_failed", Title: "x"}, DeliverAt: time.Now()}
	if err := s.CreateScheduled(ctx, e); app.ErrorKind(err) != app.ECONFLICT {
		t.Fatalf("over the limit: %v", err)
	}
	e.UserID = bob.ID
	if err := s.CreateScheduled(ctx, e); err != nil {
		t.Fatalf("bob: %v", err)
	}
}
