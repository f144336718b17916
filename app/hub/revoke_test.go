package hub

import (
	"context"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/coder/websocket"
)

// Revoking a token through auth closes the sockets opened with it and only
// those; deleting a user closes all of theirs.
func TestRevokeClosesSockets(t *testing.T) {
	s := newServer(t)
	s.auth.OnRevoke(s.hub.Revoke)
	alice := s.user("alice")
	secret, tok, err := s.auth.CreateToken(context.Background(), alice.ID, "phone", app.ScopeClient)
	if err != nil {
		t.Fatal(err)
	}
	byToken := s.dial(alice, bearerAuth(secret))
	byCookie := s.dial(alice, cookieAuth(s.cookie(alice)), origin(s.base))

	if err := s.auth.RevokeToken(context.Background(), alice.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	if code := byToken.closeStatus(); code != websocket.StatusPolicyViolation {
		t.Fatalf("token socket close code %d, want 1008", code)
	}
	id := s.notify(alice, jobFailed("still connected"))
	if f := byCookie.next(); f.Notification == nil || f.Notification.ID != id {
		t.Fatalf("cookie socket got %v after revoking another token", f.keys)
	}

	if err := s.auth.DeleteUser(context.Background(), alice.ID); err != nil {
		t.Fatal(err)
	}
	if code := byCookie.closeStatus(); code != websocket.StatusPolicyViolation {
		t.Fatalf("deleted user's socket close code %d, want 1008", code)
	}
}

// Logging out closes the sockets of that browser session only.
func TestLogoutClosesSessionSockets(t *testing.T) {
	s := newServer(t)
	s.auth.OnRevoke(s.hub.Revoke)
	alice := s.user("alice")
	out, stay := s.cookie(alice), s.cookie(alice)
	leaving := s.dial(alice, cookieAuth(out), origin(s.base))
	staying := s.dial(alice, cookieAuth(stay), origin(s.base))
	phone := s.dial(alice, bearerAuth(s.token(alice, app.ScopeClient)))

	if err := s.auth.Logout(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	if code := leaving.closeStatus(); code != websocket.StatusPolicyViolation {
		t.Fatalf("logged-out socket close code %d, want 1008", code)
	}
	id := s.notify(alice, jobFailed("after logout"))
	for name, c := range map[string]*client{"other session": staying, "token": phone} {
		if f := c.next(); f.Notification == nil || f.Notification.ID != id {
			t.Fatalf("%s socket got %v after another session logged out", name, f.keys)
		}
	}
}
