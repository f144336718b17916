package auth_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// login tries a password for username from client.
func (e *env) login(client, username, password string) error {
	_, _, err := e.svc.Login(context.Background(), client, username, password)
	return err
}

func wantRefused(t *testing.T, err error, retryAfter time.Duration) {
	t.Helper()
	wantKind(t, err, app.ERATELIMIT, app.CodeRateLimit)
	if got := app.ErrorRetryAfter(err); got != retryAfter {
		t.Fatalf("retry after %s, want %s (%v)", got, retryAfter, err)
	}
}

// TestLoginLimitPerAddress: every attempt from an address counts, right or
// wrong, whatever the username; other addresses are not affected.
func TestLoginLimitPerAddress(t *testing.T) {
	e := newEnv(t, func(c *app.AuthConfig) { c.LoginRatePerMinute, c.LoginBurst = 6, 3 })
	e.mustUser(t, "alice", false)
	const from = "198.51.100.7"
	wantKind(t, e.login(from, "alice", "wrong password"), app.EUNAUTHENTICATED)
	wantKind(t, e.login(from, "nobody", "whatever"), app.EUNAUTHENTICATED)
	if err := e.login(from, "alice", "correct horse"); err != nil {
		t.Fatal(err)
	}
	err := e.login(from, "alice", "correct horse")
	wantRefused(t, err, 10*time.Second)
	if msg := app.ErrorMessage(err); msg != "Too many sign-in attempts from your address. Please try again in 10 seconds." {
		t.Fatalf("message %q", msg)
	}
	if err := e.login("198.51.100.8", "alice", "correct horse"); err != nil {
		t.Fatalf("another address: %v", err)
	}
	e.clock.Advance(10 * time.Second)
	if err := e.login(from, "alice", "correct horse"); err != nil {
		t.Fatalf("after the refill: %v", err)
	}
	if st := e.svc.Stats(); st.RefusedAddress != 1 || st.RefusedUsername != 0 || st.Addresses != 2 {
		t.Fatalf("Stats %+v", st)
	}
}

// TestLoginLimitPerUsername: failures against one username from many
// addresses lock it for a refill, not longer; the real user then signs in,
// and that success clears the failures.
func TestLoginLimitPerUsername(t *testing.T) {
	e := newEnv(t, func(c *app.AuthConfig) { c.UsernameFailuresPerMinute, c.UsernameFailureBurst = 5, 3 })
	e.mustUser(t, "alice", false)
	e.mustUser(t, "bob", false)
	guess := func(i int) error { return e.login("203.0.113."+strconv.Itoa(i), "Alice", "guess") }
	for i := range 3 {
		wantKind(t, guess(i), app.EUNAUTHENTICATED)
	}
	err := guess(3)
	wantRefused(t, err, 12*time.Second)
	if msg := app.ErrorMessage(err); msg != "Too many failed sign-ins for this username. Please try again in 12 seconds." {
		t.Fatalf("message %q", msg)
	}
	// The name is the same whatever its case; other users are not locked.
	wantRefused(t, e.login("192.0.2.1", "alice", "correct horse"), 12*time.Second)
	if err := e.login("203.0.113.1", "bob", "correct horse"); err != nil {
		t.Fatalf("bob: %v", err)
	}
	// One refill later the real user is in.
	e.clock.Advance(12 * time.Second)
	if err := e.login("192.0.2.1", "alice", "correct horse"); err != nil {
		t.Fatalf("after the refill: %v", err)
	}
	// The success cleared the failures: a full burst again.
	for i := range 3 {
		wantKind(t, guess(i), app.EUNAUTHENTICATED)
	}
	wantRefused(t, guess(3), 12*time.Second)
	if st := e.svc.Stats(); st.RefusedUsername != 3 || st.RefusedAddress != 0 {
		t.Fatalf("Stats %+v", st)
	}
}

// TestLoginLimitsOff: a rate of 0 turns a limit off.
func TestLoginLimitsOff(t *testing.T) {
	e := newEnv(t, func(c *app.AuthConfig) {
		c.LoginRatePerMinute, c.LoginBurst, c.UsernameFailuresPerMinute, c.UsernameFailureBurst = 0, 1, 0, 1
	})
	for range 2 {
		wantKind(t, e.login("192.0.2.1", "nobody", "guess"), app.EUNAUTHENTICATED)
	}
}
