package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
)

func TestCreateUser(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	t.Run("OK", func(t *testing.T) {
		u := e.mustUser(t, "alice", true)
		got, err := e.users.FindUserByName(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != u.ID || !got.IsAdmin || !strings.HasPrefix(got.PasswordHash, "$argon2id$") {
			t.Fatalf("stored %+v", got)
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		for _, c := range []struct{ name, pw string }{
			{"", "long enough"}, {"bad name", "long enough"}, {"-dash", "long enough"},
			{"bob", "short"}, {"bob", strings.Repeat("x", 1025)},
		} {
			_, err := e.svc.CreateUser(ctx, c.name, c.pw, false)
			wantKind(t, err, app.EINVALID)
		}
	})
	t.Run("Taken", func(t *testing.T) {
		_, err := e.svc.CreateUser(ctx, "ALICE", "long enough", false)
		wantKind(t, err, app.ECONFLICT)
	})
}

func TestSetPassword(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.mustUser(t, "alice", false)
	e.mustUser(t, "bob", false)
	before, _, err := e.svc.Login(ctx, "", "alice", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	bobs, _, err := e.svc.Login(ctx, "", "bob", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	var revoked []string
	e.svc.OnRevoke(func(_, credential string) { revoked = append(revoked, credential) })
	if err := e.svc.SetPassword(ctx, "alice", "new password", true); err != nil {
		t.Fatal(err)
	}
	// Whoever knew the old password loses their session, and only alice's.
	if _, err := e.svc.SessionUser(ctx, before); err == nil {
		t.Fatal("a session from before the password change still works")
	}
	if _, err := e.svc.SessionUser(ctx, bobs); err != nil {
		t.Fatalf("bob's session ended with alice's password change: %v", err)
	}
	if len(revoked) != 1 || revoked[0] != auth.SessionCredential(before) {
		t.Fatalf("revoked %v, want alice's one session credential", revoked)
	}
	if _, _, err := e.svc.Login(ctx, "", "alice", "correct horse"); err == nil {
		t.Fatal("old password still works")
	}
	if _, u, err := e.svc.Login(ctx, "", "alice", "new password"); err != nil || !u.TemporaryPassword {
		t.Fatalf("new password: %+v %v, want it temporary", u, err)
	}
	wantKind(t, e.svc.SetPassword(ctx, "alice", "short", false), app.EINVALID)
	wantKind(t, e.svc.SetPassword(ctx, "nobody", "long enough", false), app.ENOTFOUND)
}

func TestEnsureAdmin(t *testing.T) {
	ctx := context.Background()
	t.Run("Generated", func(t *testing.T) {
		e := newEnv(t)
		pw, err := e.svc.EnsureAdmin(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) < 20 {
			t.Fatalf("generated password %q is too short", pw)
		}
		_, u, err := e.svc.Login(ctx, "", "admin", pw)
		if err != nil || !u.IsAdmin || !u.TemporaryPassword {
			t.Fatalf("login with generated password: %v %+v (want an admin with a temporary password)", err, u)
		}
		again, err := e.svc.EnsureAdmin(ctx, "")
		if err != nil || again != "" {
			t.Fatalf("second EnsureAdmin = %q, %v", again, err)
		}
		if n, _ := e.users.CountUsers(ctx); n != 1 {
			t.Fatalf("%d users after two calls", n)
		}
	})
	t.Run("Configured", func(t *testing.T) {
		e := newEnv(t)
		pw, err := e.svc.EnsureAdmin(ctx, "configured secret")
		if err != nil || pw != "" {
			t.Fatalf("EnsureAdmin = %q, %v", pw, err)
		}
		if _, u, err := e.svc.Login(ctx, "", "admin", "configured secret"); err != nil || u.TemporaryPassword {
			t.Fatalf("%+v %v (a configured password is not temporary)", u, err)
		}
	})
	t.Run("UsersExist", func(t *testing.T) {
		e := newEnv(t)
		e.mustUser(t, "alice", false)
		pw, err := e.svc.EnsureAdmin(ctx, "configured secret")
		if err != nil || pw != "" {
			t.Fatalf("EnsureAdmin = %q, %v", pw, err)
		}
		if _, err := e.users.FindUserByName(ctx, "admin"); app.ErrorKind(err) != app.ENOTFOUND {
			t.Fatalf("admin created although users exist: %v", err)
		}
	})
	t.Run("ConfiguredTooShort", func(t *testing.T) {
		e := newEnv(t)
		_, err := e.svc.EnsureAdmin(ctx, "short")
		wantKind(t, err, app.EINVALID)
		if !strings.Contains(app.ErrorMessage(err), "admin_password") {
			t.Fatalf("message %q does not name the setting", app.ErrorMessage(err))
		}
	})
}
