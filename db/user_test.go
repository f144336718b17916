package db

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"testing"

	"github.com/belfry/belfry/app"
)

func TestUserStore_CreateUser(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		d, clock := mustOpen(t)
		s := NewUserStore(d)
		u := &app.User{Username: "Alice", IsAdmin: true, PasswordHash: "h"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if u.ID == "" || !u.CreatedAt.Equal(clock.Now()) {
			t.Fatalf("fields not filled: %+v", u)
		}
		got, err := s.FindUserByID(ctx, u.ID)
		if err != nil || !reflect.DeepEqual(got, u) {
			t.Fatalf("got %+v, %v; want %+v", got, err, u)
		}
	})
	t.Run("ErrTakenAnyCase", func(t *testing.T) {
		d, _ := mustOpen(t)
		mustUser(t, d, "alice")
		err := NewUserStore(d).CreateUser(ctx, &app.User{Username: "ALICE", PasswordHash: "h"})
		wantKind(t, err, app.ECONFLICT)
		if msg := app.ErrorMessage(err); msg != `Username "ALICE" is taken.` {
			t.Fatalf("message %q", msg)
		}
	})
}

func TestUserStore_Find(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewUserStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "Bob")
	t.Run("ByNameAnyCase", func(t *testing.T) {
		got, err := s.FindUserByName(ctx, "bOB")
		if err != nil || got.ID != bob.ID {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("ErrByNameNotFound", func(t *testing.T) {
		got, err := s.FindUserByName(ctx, "carol")
		wantKind(t, err, app.ENOTFOUND)
		if got != nil {
			t.Fatal("nil error value with a user")
		}
	})
	t.Run("ErrByIDNotFound", func(t *testing.T) {
		_, err := s.FindUserByID(ctx, missingID)
		wantKind(t, err, app.ENOTFOUND)
	})
	t.Run("ManyInOrder", func(t *testing.T) {
		got, err := s.FindUsersByName(ctx, []string{"BOB", "alice", "bob"})
		if err != nil || len(got) != 2 || got[0].ID != bob.ID || got[1].ID != alice.ID {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("ErrManyNamesFirstMissing", func(t *testing.T) {
		_, err := s.FindUsersByName(ctx, []string{"alice", "zed", "carol"})
		wantKind(t, err, app.ENOTFOUND)
		if msg := app.ErrorMessage(err); msg != `User "zed" not found.` {
			t.Fatalf("message %q", msg)
		}
	})
	t.Run("List", func(t *testing.T) {
		got, err := s.ListUsers(ctx)
		if err != nil || len(got) != 2 || got[0].Username != "alice" || got[1].Username != "Bob" {
			t.Fatalf("got %+v, %v", got, err)
		}
		if n, err := s.CountUsers(ctx); err != nil || n != 2 {
			t.Fatalf("count %d, %v", n, err)
		}
	})
}

func TestUserStore_FindUsersByNameChunks(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	var names []string
	var users []*app.User
	for i := range 1203 {
		u := &app.User{ID: fmt.Sprintf("u%04d", i), Username: fmt.Sprintf("user%04d", i), PasswordHash: "h"}
		users, names = append(users, u), append(names, u.Username)
	}
	err := d.Write(ctx, func(tx *sql.Tx) error {
		for _, u := range users {
			if _, err := tx.Exec(`INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, 'h', 0)`, u.ID, u.Username); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := NewUserStore(d).FindUsersByName(ctx, names)
	if err != nil || len(got) != len(names) || got[1202].Username != "user1202" {
		t.Fatalf("got %d users, %v", len(got), err)
	}
	_, err = NewUserStore(d).FindUsersByName(ctx, append(names, "absent"))
	wantKind(t, err, app.ENOTFOUND)
}

func TestUserStore_UpdatePassword(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewUserStore(d)
	u := mustUser(t, d, "alice")
	if err := s.UpdatePassword(ctx, u.ID, "new", true); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindUserByID(ctx, u.ID); got.PasswordHash != "new" || !got.TemporaryPassword {
		t.Fatalf("hash %q, temporary %v", got.PasswordHash, got.TemporaryPassword)
	}
	if err := s.UpdatePassword(ctx, u.ID, "newer", false); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FindUserByName(ctx, "alice"); got.PasswordHash != "newer" || got.TemporaryPassword {
		t.Fatalf("hash %q, temporary %v", got.PasswordHash, got.TemporaryPassword)
	}
	wantKind(t, s.UpdatePassword(ctx, missingID, "x", false), app.ENOTFOUND)
}

func TestUserStore_DeleteUserCascades(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewUserStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	for _, u := range []*app.User{alice, bob} {
		mustNotify(t, d, clock, u.ID, "n")
		if err := NewTokenStore(d).CreateToken(ctx, &app.Token{UserID: u.ID, Scope: app.ScopeClient, Hash: "t" + u.ID}); err != nil {
			t.Fatal(err)
		}
		if err := NewSessionStore(d).CreateSession(ctx, &app.Session{Hash: "s" + u.ID, UserID: u.ID, ExpiresAt: clock.Now().Add(1e12)}); err != nil {
			t.Fatal(err)
		}
		if err := NewPreferenceStore(d).UpdatePreferences(ctx, u.ID, app.Preferences{"job_failed": false}); err != nil {
			t.Fatal(err)
		}
		if err := NewMuteStore(d).CreateMute(ctx, &app.Mute{UserID: u.ID, Object: testObject}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteUser(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"notifications", "tokens", "sessions", "preferences", "mutes"} {
		var mine, others int
		d.read.QueryRow(`SELECT COUNT(*) FILTER (WHERE user_id = ?), COUNT(*) FILTER (WHERE user_id = ?) FROM `+table, alice.ID, bob.ID).Scan(&mine, &others)
		if mine != 0 || others != 1 {
			t.Fatalf("%s: %d rows of the deleted user, %d of the other; want 0 and 1", table, mine, others)
		}
	}
	wantKind(t, s.DeleteUser(ctx, alice.ID), app.ENOTFOUND)
}
