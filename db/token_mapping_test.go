package db

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

func TestTokenMappingStore(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewTokenMappingStore(d)
	tokens := NewTokenStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	tok := &app.Token{UserID: alice.ID, Name: "uptime", Scope: app.ScopePublish, Hash: "hash-m"}
	if err := tokens.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	m := &app.TokenMapping{TokenID: tok.ID, Title: "{{.monitor}} is {{.status}}", Body: "{{.msg}}", Level: "warning",
		URL: "{{.url}}", Markdown: true, Sample: json.RawMessage(`{"monitor":"nas","status":"down"}`), Secret: "s3cret"}
	t.Run("ErrNone", func(t *testing.T) {
		_, err := s.FindTokenMapping(ctx, alice.ID, tok.ID)
		wantKind(t, err, app.ENOTFOUND)
		wantKind(t, s.DeleteTokenMapping(ctx, alice.ID, tok.ID), app.ENOTFOUND)
	})
	t.Run("Put", func(t *testing.T) {
		if err := s.PutTokenMapping(ctx, alice.ID, m); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindTokenMapping(ctx, alice.ID, tok.ID)
		if err != nil || !reflect.DeepEqual(got, m) || !m.UpdatedAt.Equal(clock.Now()) {
			t.Fatalf("got %+v, %v; want %+v", got, err, m)
		}
	})
	t.Run("Replace", func(t *testing.T) {
		clock.Advance(time.Minute)
		repl := &app.TokenMapping{TokenID: tok.ID, Secret: "only a secret"}
		if err := s.PutTokenMapping(ctx, alice.ID, repl); err != nil {
			t.Fatal(err)
		}
		got, _ := s.FindTokenMapping(ctx, alice.ID, tok.ID)
		if !reflect.DeepEqual(got, repl) || got.HasTemplates() || got.Sample != nil {
			t.Fatalf("got %+v, want %+v", got, repl)
		}
	})
	t.Run("ErrOtherUser", func(t *testing.T) {
		_, err := s.FindTokenMapping(ctx, bob.ID, tok.ID)
		wantKind(t, err, app.ENOTFOUND)
		wantKind(t, s.PutTokenMapping(ctx, bob.ID, &app.TokenMapping{TokenID: tok.ID, Title: "x"}), app.ENOTFOUND)
		wantKind(t, s.DeleteTokenMapping(ctx, bob.ID, tok.ID), app.ENOTFOUND)
		if got, _ := s.FindTokenMapping(ctx, alice.ID, tok.ID); got.Secret != "only a secret" {
			t.Fatal("another user changed the mapping")
		}
	})
	t.Run("ErrUnknownToken", func(t *testing.T) {
		wantKind(t, s.PutTokenMapping(ctx, alice.ID, &app.TokenMapping{TokenID: missingID, Title: "x"}), app.ENOTFOUND)
	})
	t.Run("Delete", func(t *testing.T) {
		if err := s.DeleteTokenMapping(ctx, alice.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindTokenMapping(ctx, alice.ID, tok.ID)
		wantKind(t, err, app.ENOTFOUND)
	})
	t.Run("GoesWithTheToken", func(t *testing.T) {
		if err := s.PutTokenMapping(ctx, alice.ID, m); err != nil {
			t.Fatal(err)
		}
		if err := tokens.RevokeToken(ctx, alice.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.Reader().QueryRow(`SELECT COUNT(*) FROM token_mappings`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d mappings after the token was revoked, %v", n, err)
		}
	})
}
