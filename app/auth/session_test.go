package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

func TestLogin(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	alice := e.mustUser(t, "alice", false)
	t.Run("OK", func(t *testing.T) {
		cookie, u, err := e.svc.Login(ctx, "", "alice", "correct horse")
		if err != nil {
			t.Fatal(err)
		}
		if u.ID != alice.ID || len(cookie) < 40 {
			t.Fatalf("Login = %q, %+v", cookie, u)
		}
		got, err := e.svc.SessionUser(ctx, cookie)
		if err != nil || got.ID != alice.ID {
			t.Fatalf("SessionUser = %+v, %v", got, err)
		}
	})
	t.Run("WrongCredentials", func(t *testing.T) {
		for _, c := range []struct{ user, pw string }{
			{"alice", "wrong password"}, {"nobody", "correct horse"}, {"bad name!", "x"},
			{"alice", strings.Repeat("x", 5000)}, {"", ""},
		} {
			_, _, err := e.svc.Login(ctx, "", c.user, c.pw)
			wantKind(t, err, app.EUNAUTHENTICATED)
			if app.ErrorMessage(err) != "Wrong username or password." {
				t.Fatalf("%s: message %q", c.user, app.ErrorMessage(err))
			}
		}
	})
}

func TestSessionUser(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.mustUser(t, "alice", false)
	cookie, _, err := e.svc.Login(ctx, "", "alice", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Unknown", func(t *testing.T) {
		for _, c := range []string{"", "nope", strings.Repeat("a", 300)} {
			_, err := e.svc.SessionUser(ctx, c)
			wantKind(t, err, app.EUNAUTHENTICATED)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		e.clock.Advance(time.Hour)
		defer e.clock.Advance(-time.Hour)
		_, err := e.svc.SessionUser(ctx, cookie)
		wantKind(t, err, app.EUNAUTHENTICATED)
	})
	t.Run("Logout", func(t *testing.T) {
		if err := e.svc.Logout(ctx, cookie); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.SessionUser(ctx, cookie)
		wantKind(t, err, app.EUNAUTHENTICATED)
		if err := e.svc.Logout(ctx, cookie); err != nil {
			t.Fatalf("second logout: %v", err)
		}
		if err := e.svc.Logout(ctx, ""); err != nil {
			t.Fatalf("empty logout: %v", err)
		}
	})
	t.Run("DeletedUser", func(t *testing.T) {
		bob := e.mustUser(t, "bob", false)
		c, _, err := e.svc.Login(ctx, "", "bob", "correct horse")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteUser(ctx, bob.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.SessionUser(ctx, c)
		wantKind(t, err, app.EUNAUTHENTICATED)
	})
}
