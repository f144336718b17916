package db

import (
	"context"
	"reflect"
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
