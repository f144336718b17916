package db

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

func TestNotificationStore_ResolveNotification(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewNotificationStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	ns := mustNotify(t, d, clock, alice.ID, "HighLatency on node:9100", "read first")
	t.Run("Unread", func(t *testing.T) {
		clock.Advance(time.Minute)
		changed, wasUnread, err := s.ResolveNotification(ctx, alice.ID, ns[0].ID)
		if err != nil || !changed || !wasUnread {
			t.Fatalf("changed %v, was unread %v, %v", changed, wasUnread, err)
		}
		got, _ := s.FindNotification(ctx, ns[0].ID)
		if got.Title != "Resolved: HighLatency on node:9100" || got.ReadAt == nil || !got.ReadAt.Equal(clock.Now()) {
			t.Fatalf("title %q, read at %v", got.Title, got.ReadAt)
		}
		var data map[string]any
		if err := json.Unmarshal(got.Data, &data); err != nil {
			t.Fatal(err)
		}
		if data["job"] != "HighLatency on node:9100" || data["status"] != "resolved" || data["resolved_at"] != clock.Now().Format(time.RFC3339) {
			t.Fatalf("data %s", got.Data)
		}
		if got.Body != ns[0].Body || got.Level != ns[0].Level {
			t.Fatal("resolving changed the body or the level")
		}
	})
	t.Run("Again", func(t *testing.T) {
		clock.Advance(time.Minute)
		changed, _, err := s.ResolveNotification(ctx, alice.ID, ns[0].ID)
		if err != nil || changed {
			t.Fatalf("changed %v, %v", changed, err)
		}
		if got, _ := s.FindNotification(ctx, ns[0].ID); got.Title != "Resolved: HighLatency on node:9100" || got.ReadAt.Equal(clock.Now()) {
			t.Fatalf("resolving again changed %q, %v", got.Title, got.ReadAt)
		}
	})
	t.Run("KeepsReadTime", func(t *testing.T) {
		if _, err := s.MarkRead(ctx, alice.ID, ns[1].ID); err != nil {
			t.Fatal(err)
		}
		readAt := clock.Now()
		clock.Advance(time.Hour)
		changed, wasUnread, err := s.ResolveNotification(ctx, alice.ID, ns[1].ID)
		if err != nil || !changed || wasUnread {
			t.Fatalf("changed %v, was unread %v, %v", changed, wasUnread, err)
		}
		if got, _ := s.FindNotification(ctx, ns[1].ID); !got.ReadAt.Equal(readAt) {
			t.Fatalf("read at moved to %v", got.ReadAt)
		}
	})
	t.Run("ErrOtherUser", func(t *testing.T) {
		other := mustNotify(t, d, clock, alice.ID, "alice's")[0]
		_, _, err := s.ResolveNotification(ctx, bob.ID, other.ID)
		wantKind(t, err, app.ENOTFOUND, app.CodeNotificationNotFound)
		if got, _ := s.FindNotification(ctx, other.ID); got.IsRead() || got.Title != "alice's" {
			t.Fatal("another user resolved the notification")
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, _, err := s.ResolveNotification(ctx, alice.ID, missingID)
		wantKind(t, err, app.ENOTFOUND, app.CodeNotificationNotFound)
	})
}

func TestResolvedTitle(t *testing.T) {
	long := strings.Repeat("é", 200)
	for _, c := range []struct{ in, want string }{
		{"Disk full", "Resolved: Disk full"},
		{"Resolved: Disk full", "Resolved: Disk full"},
		{long, "Resolved: " + strings.Repeat("é", 121) + "…"},
	} {
		got := app.ResolvedTitle(c.in)
		if got != c.want || len(got) > app.MaxTitleLen {
			t.Errorf("ResolvedTitle(%.20q) = %q (%d bytes)", c.in, got, len(got))
		}
	}
}
