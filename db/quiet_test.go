package db

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// TestQuietStore: settings round-trip; held rows written with a dispatch
// come back grouped per user and window once their window ended, once.
func TestQuietStore(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s, ns := NewQuietStore(d), NewNotificationStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	q := app.QuietHours{Timezone: "Europe/Paris", Breakthrough: app.LevelWarning,
		Windows: []app.QuietWindow{{Days: []string{"fri"}, Start: "22:00", End: "07:00"}}}
	if err := s.SetQuietHours(ctx, alice.ID, q); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.QuietHours(ctx, alice.ID)
	if err != nil || !ok || got.Timezone != "Europe/Paris" || got.Breakthrough != app.LevelWarning || len(got.Windows) != 1 {
		t.Fatalf("got %+v %v %v", got, ok, err)
	}
	if _, ok, _ := s.QuietHours(ctx, bob.ID); ok {
		t.Fatal("bob has none")
	}
	wantKind(t, s.SetQuietHours(ctx, missingID, q), app.ENOTFOUND)

	end1 := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	end2 := end1.Add(24 * time.Hour)
	var held []*app.QuietHeld
	var rows []*app.Notification
	for i, h := range []struct {
		user  *app.User
		level app.Level
		until time.Time
	}{{alice, app.LevelInfo, end1}, {alice, app.LevelWarning, end1}, {bob, app.LevelInfo, end1}, {alice, app.LevelInfo, end2}} {
		n := newNotification(d, h.user.ID, fmt.Sprintf("held %d", i))
		rows = append(rows, n)
		held = append(held, &app.QuietHeld{NotificationID: n.ID, UserID: h.user.ID, Level: h.level, Until: h.until})
	}
	held = append(held, &app.QuietHeld{NotificationID: "not-stored", UserID: bob.ID, Level: app.LevelInfo, Until: end1})
	if err := ns.QueueNotifications(ctx, rows, app.Outbox{Held: held})(); err != nil {
		t.Fatal(err)
	}
	if next, ok, err := s.NextQuietDigest(ctx); err != nil || !ok || !next.Equal(end1) {
		t.Fatalf("next %v %v %v", next, ok, err)
	}
	if due, err := s.ClaimQuietDigests(ctx, end1.Add(-time.Millisecond)); err != nil || len(due) != 0 {
		t.Fatalf("due before the end: %+v %v", due, err)
	}
	due, err := s.ClaimQuietDigests(ctx, end1)
	if err != nil || len(due) != 2 {
		t.Fatalf("due %+v %v", due, err)
	}
	for _, dg := range due {
		switch dg.UserID {
		case alice.ID:
			if len(dg.Held) != 2 || !dg.Until.Equal(end1) || dg.Held[0].Title == "" {
				t.Errorf("alice's digest %+v", dg)
			}
		case bob.ID:
			if len(dg.Held) != 2 {
				t.Errorf("bob's digest %+v", dg)
			}
		}
	}
	if again, _ := s.ClaimQuietDigests(ctx, end1); len(again) != 0 {
		t.Fatalf("claimed twice: %+v", again)
	}
	if next, _, _ := s.NextQuietDigest(ctx); !next.Equal(end2) {
		t.Fatalf("next after the first window: %v", next)
	}
	// A row held again for a window already digested gives no second digest.
	late := newNotification(d, alice.ID, "late")
	if err := ns.QueueNotifications(ctx, []*app.Notification{late},
		app.Outbox{Held: []*app.QuietHeld{{NotificationID: late.ID, UserID: alice.ID, Level: app.LevelInfo, Until: end1}}})(); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.ClaimQuietDigests(ctx, end2); len(again) != 1 || !again[0].Until.Equal(end2) {
		t.Fatalf("after the second window: %+v", again)
	}
	if _, ok, _ := s.NextQuietDigest(ctx); ok {
		t.Fatal("held rows left")
	}
}

// TestQuietStore_TypeDigests: digests and quiet hours are saved apart and
// read together; a type's period and a quiet window ending at the same
// time are two digests.
func TestQuietStore_TypeDigests(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s, ns := NewQuietStore(d), NewNotificationStore(d)
	alice := mustUser(t, d, "alice")
	ds := []app.TypeDigest{{Type: "job_completed", EveryMinutes: 30}, {Type: "message", DailyAt: "08:00"}}
	if err := s.SetTypeDigests(ctx, alice.ID, ds); err != nil {
		t.Fatal(err)
	}
	if err := s.SetQuietHours(ctx, alice.ID, app.QuietHours{Timezone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.QuietHours(ctx, alice.ID)
	if err != nil || !ok || got.Timezone != "UTC" || len(got.Digests) != 2 || got.Digests[1] != ds[1] {
		t.Fatalf("got %+v %v %v", got, ok, err)
	}
	wantKind(t, s.SetTypeDigests(ctx, missingID, ds), app.ENOTFOUND)
	end := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	a, b := newNotification(d, alice.ID, "a"), newNotification(d, alice.ID, "b")
	held := []*app.QuietHeld{{NotificationID: a.ID, UserID: alice.ID, Level: app.LevelInfo, Until: end},
		{NotificationID: b.ID, UserID: alice.ID, Digest: "job_completed", Level: app.LevelInfo, Until: end}}
	if err := ns.QueueNotifications(ctx, []*app.Notification{a, b}, app.Outbox{Held: held})(); err != nil {
		t.Fatal(err)
	}
	due, err := s.ClaimQuietDigests(ctx, end)
	if err != nil || len(due) != 2 || due[0].Digest != "" || due[1].Digest != "job_completed" || len(due[1].Held) != 1 {
		t.Fatalf("due %+v %v", due, err)
	}
}
