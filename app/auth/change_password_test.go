package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
)

// A user changing their own password proves the current one; their other
// sessions end, the one they changed it from stays, tokens stay, and the
// password stops being temporary.
func TestChangePassword(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *app.AuthConfig) { c.UsernameFailuresPerMinute, c.UsernameFailureBurst = 1, 3 })
	alice := e.mustUser(t, "alice", false)
	e.mustUser(t, "bob", false)
	if err := e.svc.SetPassword(ctx, "alice", "given by admin", true); err != nil {
		t.Fatal(err)
	}
	here, _, err := e.svc.Login(ctx, "", "alice", "given by admin")
	if err != nil {
		t.Fatal(err)
	}
	elsewhere, _, _ := e.svc.Login(ctx, "", "alice", "given by admin")
	bobs, _, _ := e.svc.Login(ctx, "", "bob", "correct horse")
	secret, _, err := e.svc.CreateToken(ctx, alice.ID, "ci", app.ScopeClient)
	if err != nil {
		t.Fatal(err)
	}
	var revoked []string
	e.svc.OnRevoke(func(_, credential string) { revoked = append(revoked, credential) })

	for name, c := range map[string]struct{ current, next string }{
		"wrong current": {"not it at all", "a brand new one"},
		"too long":      {strings.Repeat("x", 2000), "a brand new one"},
		"short new":     {"given by admin", "short"},
		"same again":    {"given by admin", "given by admin"},
	} {
		err := e.svc.ChangePassword(ctx, "192.0.2.1", alice, c.current, c.next, here)
		if app.ErrorKind(err) != app.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if len(revoked) != 0 {
		t.Fatalf("a refused change ended sessions: %v", revoked)
	}

	if err := e.svc.ChangePassword(ctx, "192.0.2.1", alice, "given by admin", "my own choice", here); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SessionUser(ctx, here); err != nil {
		t.Errorf("the session the password was changed from ended: %v", err)
	}
	if _, err := e.svc.SessionUser(ctx, elsewhere); err == nil {
		t.Error("another session survived the change")
	}
	if _, err := e.svc.SessionUser(ctx, bobs); err != nil {
		t.Errorf("bob's session ended: %v", err)
	}
	if len(revoked) != 1 || revoked[0] != auth.SessionCredential(elsewhere) {
		t.Errorf("revoked %v, want the other session only", revoked)
	}
	if _, _, err := e.svc.TokenUser(ctx, secret); err != nil {
		t.Errorf("the API token stopped working: %v", err)
	}
	if _, u, err := e.svc.Login(ctx, "", "alice", "my own choice"); err != nil || u.TemporaryPassword {
		t.Fatalf("login with the new password: %+v %v (want it no longer temporary)", u, err)
	}
	if _, _, err := e.svc.Login(ctx, "", "alice", "given by admin"); err == nil {
		t.Fatal("the old password still works")
	}
}

// Wrong current passwords count against the login limits: a stolen session
// cannot guess the password faster than the login page allows.
func TestChangePasswordLimited(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *app.AuthConfig) { c.UsernameFailuresPerMinute, c.UsernameFailureBurst = 1, 2 })
	alice := e.mustUser(t, "alice", false)
	for i := 0; i < 2; i++ {
		wantKind(t, e.svc.ChangePassword(ctx, "192.0.2.1", alice, "guess guess", "a brand new one", ""), app.EINVALID)
	}
	err := e.svc.ChangePassword(ctx, "192.0.2.1", alice, "correct horse", "a brand new one", "")
	wantKind(t, err, app.ERATELIMIT)
	if e, ok := err.(*app.Error); !ok || e.RetryAfter <= 0 {
		t.Errorf("no Retry-After on %v", err)
	}
	if _, _, err := e.svc.Login(ctx, "192.0.2.9", "alice", "correct horse"); app.ErrorKind(err) != app.ERATELIMIT {
		t.Errorf("login after the guesses: %v, want it limited as well", err)
	}
}
