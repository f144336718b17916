package hub

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/belfry/belfry/app"
)

// handshake sends a WebSocket handshake with extra headers and returns the
// response; a 101 response's connection is closed at cleanup.
func (s *server) handshake(creds ...cred) *http.Response {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.base+Path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Sec-WebSocket-Version", "13")
	req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	for _, f := range creds {
		f(req.Header)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// wantRefused checks a refused handshake: the status, the JSON envelope with
// code, and that no socket was opened.
func wantRefused(t *testing.T, s *server, resp *http.Response, status int, code string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d", resp.StatusCode, status)
	}
	var env map[string]map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("body is not the JSON envelope: %v", err)
	}
	if len(env) != 1 || env["error"]["code"] != code || env["error"]["message"] == "" {
		t.Fatalf("envelope %v, want code %s and a message", env, code)
	}
	if n := s.hub.Stats().Sockets; n != 0 {
		t.Fatalf("%d sockets open after a refused handshake", n)
	}
}

func TestHandshake(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	root := s.admin("root")
	cookie := s.cookie(alice)
	client := s.token(alice, app.ScopeClient)
	admin := s.token(root, app.ScopeAdmin)
	publish := s.token(alice, app.ScopePublish)
	evil := origin("http://evil.example")

	refused := []struct {
		name   string
		creds  []cred
		status int
		code   string
	}{
		{"anonymous", []cred{origin(s.base)}, 401, app.CodeUnauthenticated},
		{"unknown cookie", []cred{cookieAuth("forged"), origin(s.base)}, 401, app.CodeUnauthenticated},
		{"unknown token", []cred{bearerAuth("bf_forged")}, 401, app.CodeInvalidToken},
		{"malformed authorization", []cred{func(h http.Header) { h.Set("Authorization", "Basic eDp5") }}, 401, app.CodeInvalidToken},
		{"publish token", []cred{bearerAuth(publish)}, 403, app.CodeForbidden},
		{"cookie cross-origin", []cred{cookieAuth(cookie), evil}, 403, app.CodeForbidden},
		{"cookie without origin", []cred{cookieAuth(cookie)}, 403, app.CodeForbidden},
		{"cookie origin null", []cred{cookieAuth(cookie), origin("null")}, 403, app.CodeForbidden},
		{"cookie other port", []cred{cookieAuth(cookie), origin("http://127.0.0.1:1")}, 403, app.CodeForbidden},
		{"cookie https origin", []cred{cookieAuth(cookie), origin("https" + s.base[4:])}, 403, app.CodeForbidden},
		{"token cross-origin", []cred{bearerAuth(client), evil}, 403, app.CodeForbidden},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			wantRefused(t, s, s.handshake(tc.creds...), tc.status, tc.code)
		})
	}

	t.Run("not a websocket handshake", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, s.base+Path, nil)
		bearerAuth(client)(req.Header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		wantRefused(t, s, resp, 400, app.CodeInvalidParameter)
	})

	accepted := []struct {
		name  string
		user  *app.User
		creds []cred
	}{
		{"cookie same origin", alice, []cred{cookieAuth(cookie), origin(s.base)}},
		{"client token without origin", alice, []cred{bearerAuth(client)}},
		{"client token same origin", alice, []cred{bearerAuth(client), origin(s.base)}},
		{"admin token", root, []cred{bearerAuth(admin)}},
	}
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			c := s.dial(tc.user, tc.creds...)
			id := s.notify(tc.user, jobFailed("hello"))
			if f := c.next(); f.Notification == nil || f.Notification.ID != id {
				t.Fatalf("frame %v, want the toast of %s", f.keys, id)
			}
			c.Conn.CloseNow()
			s.waitFor("socket gone", func() bool { return s.hub.Stats().Sockets == 0 })
		})
	}
}
