package hub

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
			c.conn.CloseNow()
			s.waitFor("socket gone", func() bool { return s.hub.Stats().Sockets == 0 })
		})
	}
}

func TestCheckOrigin(t *testing.T) {
	base := originOf("http://Belfry.LAN")
	if base != "http://belfry.lan:80" {
		t.Fatalf("originOf = %q", base)
	}
	cases := []struct {
		allowed, origin, host string
		bearer, ok            bool
	}{
		{base, "http://belfry.lan", "belfry.lan", false, true},
		{base, "http://belfry.lan:80", "belfry.lan", false, true},
		{base, "HTTP://BELFRY.LAN", "belfry.lan", false, true},
		{base, "https://belfry.lan", "belfry.lan", false, false},
		{base, "http://belfry.lan:8080", "belfry.lan", false, false},
		{base, "http://belfry.lan.evil.example", "belfry.lan", false, false},
		{base, "", "belfry.lan", false, false},
		{base, "", "belfry.lan", true, true},
		{base, "null", "belfry.lan", true, false},
		{originOf("https://belfry.example"), "https://belfry.example:443", "x", false, true},
		// Without a usable base URL the Origin must name the requested host.
		{"", "http://10.0.0.2:8080", "10.0.0.2:8080", false, true},
		{"", "http://evil.example", "10.0.0.2:8080", false, false},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(http.MethodGet, "http://"+tc.host+Path, nil)
		r.Host = tc.host
		if tc.origin != "" {
			r.Header.Set("Origin", tc.origin)
		}
		c := &Conn{}
		if tc.bearer {
			c.tokenID = "token-id"
		}
		r = r.WithContext(withConn(r.Context(), c))
		if got := checkOrigin(tc.allowed, r); got != tc.ok {
			t.Errorf("checkOrigin(%q, Origin %q, bearer %v) = %v, want %v", tc.allowed, tc.origin, tc.bearer, got, tc.ok)
		}
	}
	if originOf("ftp://x") != "" || originOf("/relative") != "" || originOf("") != "" {
		t.Error("originOf accepted a URL that is not http(s)")
	}
}
