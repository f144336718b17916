package db

import (
	"context"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

const missingID = "0190f6c3-0000-7000-8000-000000000000"

func TestNotificationStore_MarkRead(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewNotificationStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	n := mustNotify(t, d, clock, alice.ID, "a")[0]
	t.Run("OK", func(t *testing.T) {
		changed, err := s.MarkRead(ctx, alice.ID, n.ID)
		if err != nil || !changed {
			t.Fatalf("changed = %v, %v", changed, err)
		}
		got, _ := s.FindNotification(ctx, n.ID)
		if got.ReadAt == nil || !got.ReadAt.Equal(clock.Now()) {
			t.Fatalf("read_at = %v, want %v", got.ReadAt, clock.Now())
		}
	})
	t.Run("AlreadyRead", func(t *testing.T) {
		clock.Advance(time.Hour)
		changed, err := s.MarkRead(ctx, alice.ID, n.ID)
		if err != nil || changed {
			t.Fatalf("changed = %v, %v", changed, err)
		}
		if got, _ := s.FindNotification(ctx, n.ID); got.ReadAt.Equal(clock.Now()) {
			t.Fatal("marking read again moved read_at")
		}
	})
	t.Run("ErrOtherUser", func(t *testing.T) {
		other := mustNotify(t, d, clock, alice.ID, "unread")[0]
		_, err := s.MarkRead(ctx, bob.ID, other.ID)
		wantKind(t, err, app.ENOTFOUND, app.CodeNotificationNotFound)
		if got, _ := s.FindNotification(ctx, other.ID); got.IsRead() {
			t.Fatal("another user marked the notification read")
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.MarkRead(ctx, alice.ID, missingID)
		wantKind(t, err, app.ENOTFOUND, app.CodeNotificationNotFound)
	})
}

func TestNotificationStore_MarkAllRead(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewNotificationStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	ns := mustNotify(t, d, clock, alice.ID, "a1", "a2", "a3")
	mustNotify(t, d, clock, bob.ID, "b1")
	if _, err := s.MarkRead(ctx, alice.ID, ns[0].ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.MarkAllRead(ctx, alice.ID); err != nil || n != 2 {
		t.Fatalf("updated %d, %v; want 2", n, err)
	}
	if n, _ := s.UnreadCount(ctx, bob.ID); n != 1 {
		t.Fatalf("bob's unread = %d after alice marked all read", n)
	}
	if n, err := s.MarkAllRead(ctx, alice.ID); err != nil || n != 0 {
		t.Fatalf("second call updated %d, %v", n, err)
	}
}

func TestNotificationStore_Acknowledge(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewNotificationStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	ns := mustNotify(t, d, clock, alice.ID, "unread", "read")
	readAt := clock.Now()
	if _, err := s.MarkRead(ctx, alice.ID, ns[1].ID); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	t.Run("OK", func(t *testing.T) {
		got, err := s.Acknowledge(ctx, alice.ID, ns[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		now := clock.Now()
		if got.Status != app.StatusAcknowledged || !got.AcknowledgedAt.Equal(now) || !got.ReadAt.Equal(now) || got.Title != "unread" {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("KeepsReadTime", func(t *testing.T) {
		got, err := s.Acknowledge(ctx, alice.ID, ns[1].ID)
		if err != nil || !got.ReadAt.Equal(readAt) {
			t.Fatalf("read_at = %v, %v; want %v", got.ReadAt, err, readAt)
		}
	})
	t.Run("ErrResponded", func(t *testing.T) {
		_, err := s.Acknowledge(ctx, alice.ID, ns[0].ID)
		wantKind(t, err, app.ECONFLICT, app.CodeNotificationResponded)
	})
	t.Run("ErrOtherUser", func(t *testing.T) {
		pending := mustNotify(t, d, clock, alice.ID, "pending")[0]
		_, err := s.Acknowledge(ctx, bob.ID, pending.ID)
		wantKind(t, err, app.ENOTFOUND, app.CodeNotificationNotFound)
		if got, _ := s.FindNotification(ctx, pending.ID); got.Status != app.StatusPending {
			t.Fatal("another user acknowledged the notification")
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.Acknowledge(ctx, alice.ID, missingID)
		wantKind(t, err, app.ENOTFOUND, app.CodeNotificationNotFound)
	})
}

func TestNotificationStore_AcknowledgeMany(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewNotificationStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	ns := mustNotify(t, d, clock, alice.ID, "p1", "p2", "done")
	bobs := mustNotify(t, d, clock, bob.ID, "b1")[0]
	if _, err := s.Acknowledge(ctx, alice.ID, ns[2].ID); err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		got, err := s.AcknowledgeMany(ctx, alice.ID, []string{ns[0].ID, ns[1].ID, ns[0].ID, ns[2].ID, bobs.ID, missingID})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]app.AckOutcome{ns[0].ID: app.AckDone, ns[1].ID: app.AckDone, ns[2].ID: app.AckResponded,
			bobs.ID: app.AckDenied, missingID: app.AckNotFound}
		if len(got) != len(want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		for id, w := range want {
			if got[id] != w {
				t.Fatalf("outcome of %s = %q, want %q", id, got[id], w)
			}
		}
		for _, n := range ns[:2] {
			if n, _ := s.FindNotification(ctx, n.ID); n.Status != app.StatusAcknowledged || !n.IsRead() {
				t.Fatalf("%s not acknowledged: %+v", n.Title, n)
			}
		}
		if n, _ := s.FindNotification(ctx, bobs.ID); n.Status != app.StatusPending {
			t.Fatal("alice acknowledged bob's notification")
		}
	})
	t.Run("Empty", func(t *testing.T) {
		got, err := s.AcknowledgeMany(ctx, alice.ID, nil)
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("got %v, %v", got, err)
		}
	})
}

func TestNotificationStore_DeleteNotification(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewNotificationStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	ns := mustNotify(t, d, clock, alice.ID, "a1", "a2")
	t.Run("OK", func(t *testing.T) {
		if err := s.DeleteNotification(ctx, alice.ID, ns[0].ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindNotification(ctx, ns[0].ID)
		wantKind(t, err, app.ENOTFOUND)
	})
	t.Run("ErrAlreadyDeleted", func(t *testing.T) {
		wantKind(t, s.DeleteNotification(ctx, alice.ID, ns[0].ID), app.ENOTFOUND, app.CodeNotificationNotFound)
	})
	t.Run("ErrOtherUser", func(t *testing.T) {
		wantKind(t, s.DeleteNotification(ctx, bob.ID, ns[1].ID), app.ENOTFOUND, app.CodeNotificationNotFound)
		if _, err := s.FindNotification(ctx, ns[1].ID); err != nil {
			t.Fatalf("another user deleted the notification: %v", err)
		}
	})
}

func TestNotificationStore_DeleteRead(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewNotificationStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	ns := mustNotify(t, d, clock, alice.ID, "r1", "r2", "unread")
	b := mustNotify(t, d, clock, bob.ID, "b1")[0]
	for _, id := range []string{ns[0].ID, ns[1].ID} {
		if _, err := s.MarkRead(ctx, alice.ID, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.MarkRead(ctx, bob.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteRead(ctx, alice.ID); err != nil || n != 2 {
		t.Fatalf("deleted %d, %v; want 2", n, err)
	}
	left, _ := s.ListNotifications(ctx, app.NotificationFilter{UserID: alice.ID})
	if len(left) != 1 || left[0].Title != "unread" {
		t.Fatalf("left %v", titles(left))
	}
	if _, err := s.FindNotification(ctx, b.ID); err != nil {
		t.Fatalf("bob's read notification was deleted: %v", err)
	}
}
