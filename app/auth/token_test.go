package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
)

var secretPattern = regexp.MustCompile(`^blf_[A-Za-z0-9_-]{43}$`)

func TestCreateToken(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	alice := e.mustUser(t, "alice", false)
	root := e.mustUser(t, "root", true)
	t.Run("OK", func(t *testing.T) {
		secret, tok, err := e.svc.CreateToken(ctx, alice.ID, "  laptop ", app.ScopeClient)
		if err != nil {
			t.Fatal(err)
		}
		if !secretPattern.MatchString(secret) {
			t.Fatalf("secret %q has the wrong shape", secret)
		}
		sum := sha256.Sum256([]byte(secret))
		stored, err := e.tokens.FindTokenByHash(ctx, hex.EncodeToString(sum[:]))
		if err != nil {
			t.Fatalf("token not stored under its SHA-256: %v", err)
		}
		if stored.ID != tok.ID || stored.Name != "laptop" || stored.Scope != app.ScopeClient || stored.UserID != alice.ID {
			t.Fatalf("stored %+v", stored)
		}
		if _, _, err := e.svc.CreateToken(ctx, root.ID, "", app.ScopeAdmin); err != nil {
			t.Fatalf("admin token of an admin: %v", err)
		}
	})
	t.Run("BadScope", func(t *testing.T) {
		for _, s := range []app.Scope{"", "root", "Client"} {
			_, _, err := e.svc.CreateToken(ctx, alice.ID, "x", s)
			wantKind(t, err, app.EINVALID)
		}
	})
	t.Run("BadName", func(t *testing.T) {
		_, _, err := e.svc.CreateToken(ctx, alice.ID, strings.Repeat("n", 101), app.ScopeClient)
		wantKind(t, err, app.EINVALID)
		_, _, err = e.svc.CreateToken(ctx, alice.ID, "\xff", app.ScopeClient)
		wantKind(t, err, app.EINVALID)
	})
	t.Run("AdminScopeOfNonAdmin", func(t *testing.T) {
		_, _, err := e.svc.CreateToken(ctx, alice.ID, "x", app.ScopeAdmin)
		wantKind(t, err, app.EFORBIDDEN)
	})
	t.Run("UnknownUser", func(t *testing.T) {
		_, _, err := e.svc.CreateToken(ctx, "0190f0a4-0000-7000-8000-000000000000", "x", app.ScopeClient)
		wantKind(t, err, app.ENOTFOUND)
	})
}

func TestTokenUser(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	alice := e.mustUser(t, "alice", false)
	secret, tok, err := e.svc.CreateToken(ctx, alice.ID, "ci", app.ScopePublish)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		for range 2 { // the second lookup is served by the cache
			u, got, err := e.svc.TokenUser(ctx, secret)
			if err != nil {
				t.Fatal(err)
			}
			if u.ID != alice.ID || got.ID != tok.ID || got.Scope != app.ScopePublish {
				t.Fatalf("TokenUser = %+v, %+v", u, got)
			}
			u.IsAdmin = true // callers cannot alter the cached user
		}
		u, _, _ := e.svc.TokenUser(ctx, secret)
		if u.IsAdmin {
			t.Fatal("a caller's change leaked into the cache")
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		for _, s := range []string{
			"", "blf_", "abc", secret[:len(secret)-1], "xyz_" + secret[len(auth.TokenPrefix):],
			"blf_" + strings.Repeat("!", 43), "blf_" + strings.Repeat("A", 43), // well-formed but unknown
		} {
			_, _, err := e.svc.TokenUser(ctx, s)
			wantKind(t, err, app.EUNAUTHENTICATED, app.CodeInvalidToken)
		}
	})
	t.Run("Revoked", func(t *testing.T) {
		s2, t2, _ := e.svc.CreateToken(ctx, alice.ID, "x", app.ScopeClient)
		if _, _, err := e.svc.TokenUser(ctx, s2); err != nil {
			t.Fatal(err)
		}
		wantKind(t, e.svc.RevokeToken(ctx, "0190f0a4-0000-7000-8000-000000000000", t2.ID), app.ENOTFOUND)
		if err := e.svc.RevokeToken(ctx, alice.ID, t2.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.svc.TokenUser(ctx, s2)
		wantKind(t, err, app.EUNAUTHENTICATED, app.CodeInvalidToken)
	})
	t.Run("RevokedElsewhere", func(t *testing.T) {
		// Another process (the CLI) revokes in the database: the cache
		// keeps the token only until its TTL passes.
		s3, t3, _ := e.svc.CreateToken(ctx, alice.ID, "x", app.ScopeClient)
		if _, _, err := e.svc.TokenUser(ctx, s3); err != nil {
			t.Fatal(err)
		}
		if err := e.tokens.RevokeToken(ctx, "", t3.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		_, _, err := e.svc.TokenUser(ctx, s3)
		wantKind(t, err, app.EUNAUTHENTICATED, app.CodeInvalidToken)
	})
	t.Run("DeletedUser", func(t *testing.T) {
		bob := e.mustUser(t, "bob", false)
		s4, _, _ := e.svc.CreateToken(ctx, bob.ID, "x", app.ScopeClient)
		if _, _, err := e.svc.TokenUser(ctx, s4); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteUser(ctx, bob.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.svc.TokenUser(ctx, s4)
		wantKind(t, err, app.EUNAUTHENTICATED, app.CodeInvalidToken)
	})
}

// lastUsed returns the stored last-used time of token id.
func lastUsed(t *testing.T, e *env, userID, id string) *time.Time {
	t.Helper()
	ts, err := e.svc.ListTokens(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range ts {
		if tok.ID == id {
			return tok.LastUsedAt
		}
	}
	t.Fatalf("token %s not listed", id)
	return nil
}

func TestFlushLastUsed(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	alice := e.mustUser(t, "alice", false)
	secret, tok, _ := e.svc.CreateToken(ctx, alice.ID, "x", app.ScopeClient)
	if err := e.svc.FlushLastUsed(ctx); err != nil {
		t.Fatalf("empty flush: %v", err)
	}
	if _, _, err := e.svc.TokenUser(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if lastUsed(t, e, alice.ID, tok.ID) != nil {
		t.Fatal("a lookup wrote last_used_at at once")
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := e.svc.FlushLastUsed(canceled); err == nil {
		t.Fatal("flush with a canceled context succeeded")
	}
	if err := e.svc.FlushLastUsed(ctx); err != nil {
		t.Fatal(err)
	}
	got := lastUsed(t, e, alice.ID, tok.ID)
	if got == nil || got.UnixMilli() != e.clock.Now().UnixMilli() {
		t.Fatalf("last_used_at = %v, want %v (kept across the failed flush)", got, e.clock.Now())
	}
}

func TestRunFlushesAtShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	e := newEnv(t)
	alice := e.mustUser(t, "alice", false)
	secret, tok, _ := e.svc.CreateToken(ctx, alice.ID, "x", app.ScopeClient)
	done := make(chan struct{})
	go func() {
		e.svc.Run(ctx)
		close(done)
	}()
	if _, _, err := e.svc.TokenUser(ctx, secret); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done
	if lastUsed(t, e, alice.ID, tok.ID) == nil {
		t.Fatal("Run did not flush at shutdown")
	}
}
