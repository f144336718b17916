package db

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

func TestTokenStore(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewTokenStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	tok := &app.Token{UserID: alice.ID, Name: "phone", Scope: app.ScopeClient, Hash: "hash-a"}
	t.Run("OK", func(t *testing.T) {
		if err := s.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if tok.ID == "" || !tok.CreatedAt.Equal(clock.Now()) {
			t.Fatalf("fields not filled: %+v", tok)
		}
		got, err := s.FindTokenByHash(ctx, "hash-a")
		if err != nil || !reflect.DeepEqual(got, tok) {
			t.Fatalf("got %+v, %v; want %+v", got, err, tok)
		}
	})
	t.Run("ErrDuplicateHash", func(t *testing.T) {
		wantKind(t, s.CreateToken(ctx, &app.Token{UserID: bob.ID, Scope: app.ScopeAdmin, Hash: "hash-a"}), app.ECONFLICT)
	})
	t.Run("ErrScope", func(t *testing.T) {
		wantKind(t, s.CreateToken(ctx, &app.Token{UserID: bob.ID, Scope: "root", Hash: "hash-x"}), app.EINVALID)
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		wantKind(t, s.CreateToken(ctx, &app.Token{UserID: missingID, Scope: app.ScopeClient, Hash: "hash-y"}), app.ENOTFOUND)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.FindTokenByHash(ctx, "nope")
		wantKind(t, err, app.ENOTFOUND)
	})
	t.Run("List", func(t *testing.T) {
		clock.Advance(time.Second)
		second := &app.Token{UserID: alice.ID, Name: "cli", Scope: app.ScopePublish, Hash: "hash-b"}
		if err := s.CreateToken(ctx, second); err != nil {
			t.Fatal(err)
		}
		got, err := s.ListTokens(ctx, alice.ID)
		if err != nil || len(got) != 2 || got[0].Name != "phone" || got[1].Name != "cli" {
			t.Fatalf("got %+v, %v", got, err)
		}
		if none, err := s.ListTokens(ctx, bob.ID); err != nil || none == nil || len(none) != 0 {
			t.Fatalf("bob's tokens %v, %v", none, err)
		}
	})
	t.Run("Touch", func(t *testing.T) {
		later, earlier := clock.Now().Add(time.Minute), clock.Now()
		if err := s.TouchTokens(ctx, map[string]time.Time{tok.ID: later, missingID: later}); err != nil {
			t.Fatal(err)
		}
		if err := s.TouchTokens(ctx, map[string]time.Time{tok.ID: earlier}); err != nil {
			t.Fatal(err)
		}
		got, _ := s.FindTokenByHash(ctx, "hash-a")
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(later) {
			t.Fatalf("last used %v, want %v", got.LastUsedAt, later)
		}
		if err := s.TouchTokens(ctx, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrRevokeOtherUser", func(t *testing.T) {
		wantKind(t, s.RevokeToken(ctx, bob.ID, tok.ID), app.ENOTFOUND)
		if _, err := s.FindTokenByHash(ctx, "hash-a"); err != nil {
			t.Fatalf("bob revoked alice's token: %v", err)
		}
	})
	t.Run("Revoke", func(t *testing.T) {
		if err := s.RevokeToken(ctx, alice.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindTokenByHash(ctx, "hash-a")
		wantKind(t, err, app.ENOTFOUND)
		wantKind(t, s.RevokeToken(ctx, alice.ID, tok.ID), app.ENOTFOUND)
	})
	t.Run("RevokeAnyUser", func(t *testing.T) {
		got, _ := s.FindTokenByHash(ctx, "hash-b")
		if err := s.RevokeToken(ctx, "", got.ID); err != nil {
			t.Fatal(err)
		}
		wantKind(t, s.RevokeToken(ctx, "", got.ID), app.ENOTFOUND)
	})
}
