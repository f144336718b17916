package db

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

func TestSessionStore(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewSessionStore(d)
	u := mustUser(t, d, "alice")
	sess := &app.Session{Hash: "h1", UserID: u.ID, ExpiresAt: clock.Now().Add(time.Hour)}
	t.Run("OK", func(t *testing.T) {
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindSession(ctx, "h1")
		if err != nil || !reflect.DeepEqual(got, sess) {
			t.Fatalf("got %+v, %v; want %+v", got, err, sess)
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		wantKind(t, s.CreateSession(ctx, &app.Session{Hash: "h1", UserID: u.ID, ExpiresAt: clock.Now()}), app.ECONFLICT)
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		wantKind(t, s.CreateSession(ctx, &app.Session{Hash: "h2", UserID: missingID, ExpiresAt: clock.Now()}), app.ENOTFOUND)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.FindSession(ctx, "nope")
		wantKind(t, err, app.ENOTFOUND)
	})
	t.Run("ErrExpired", func(t *testing.T) {
		clock.Advance(time.Hour) // expires_at == now counts as expired
		_, err := s.FindSession(ctx, "h1")
		wantKind(t, err, app.ENOTFOUND)
	})
	t.Run("DeleteExpired", func(t *testing.T) {
		live := &app.Session{Hash: "live", UserID: u.ID, ExpiresAt: clock.Now().Add(time.Hour)}
		if err := s.CreateSession(ctx, live); err != nil {
			t.Fatal(err)
		}
		if n, err := s.DeleteExpiredSessions(ctx, clock.Now()); err != nil || n != 1 {
			t.Fatalf("deleted %d, %v; want 1", n, err)
		}
		if _, err := s.FindSession(ctx, "live"); err != nil {
			t.Fatalf("live session deleted: %v", err)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		if err := s.DeleteSession(ctx, "live"); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindSession(ctx, "live")
		wantKind(t, err, app.ENOTFOUND)
		if err := s.DeleteSession(ctx, "live"); err != nil {
			t.Fatalf("deleting twice: %v", err)
		}
	})
}

// DeleteOtherSessions ends a user's sessions but one, and no one else's.
func TestSessionStore_DeleteOtherSessions(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewSessionStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	for _, sess := range []*app.Session{{Hash: "a1", UserID: alice.ID}, {Hash: "a2", UserID: alice.ID}, {Hash: "a3", UserID: alice.ID}, {Hash: "b1", UserID: bob.ID}} {
		sess.ExpiresAt = clock.Now().Add(time.Hour)
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	gone, err := s.DeleteOtherSessions(ctx, alice.ID, "a2")
	if slices.Sort(gone); err != nil || !reflect.DeepEqual(gone, []string{"a1", "a3"}) {
		t.Fatalf("deleted %v, %v; want a1 a3", gone, err)
	}
	for _, h := range []string{"a2", "b1"} {
		if _, err := s.FindSession(ctx, h); err != nil {
			t.Errorf("session %s: %v", h, err)
		}
	}
	if gone, err = s.DeleteUserSessions(ctx, alice.ID); err != nil || !reflect.DeepEqual(gone, []string{"a2"}) {
		t.Fatalf("DeleteUserSessions %v, %v; want a2", gone, err)
	}
}
