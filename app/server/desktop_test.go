package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server/servertest"
)

// me asks GET /api/v1/me of ts with req adjusted by change and returns the
// status and the username it answered ("" unless 200).
func me(t *testing.T, ts *servertest.App, change func(r *http.Request)) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Username string }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Username
}

func TestDesktopMode(t *testing.T) {
	s := servertest.New(t, servertest.WithConfig(func(c *app.Config) { c.Auth.DesktopUser = "admin" }))
	bobToken := s.TokenFor("bob", false, app.ScopeClient)

	for _, tc := range []struct {
		name   string
		change func(r *http.Request)
		status int
		user   string
	}{
		{"a local request is the desktop user", nil, 200, "admin"},
		{"localhost works too", func(r *http.Request) { r.Host = "localhost" + r.Host[strings.LastIndex(r.Host, ":"):] }, 200, "admin"},
		{"a stale cookie is replaced", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "belfry_session", Value: "stale"}) }, 200, "admin"},
		{"a token means its own user", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+bobToken) }, 200, "bob"},
		{"a bad token is refused, not replaced", func(r *http.Request) { r.Header.Set("Authorization", "Bearer blf_wrong") }, 401, ""},
		{"DNS rebinding: a foreign Host is not signed in", func(r *http.Request) { r.Host = "attacker.example:8080" }, 401, ""},
		{"a proxied request is not signed in", func(r *http.Request) { r.Header.Set("X-Forwarded-For", "203.0.113.7") }, 401, ""},
		{"Forwarded counts as proxied", func(r *http.Request) { r.Header.Set("Forwarded", "for=203.0.113.7") }, 401, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, user := me(t, s, tc.change)
			if status != tc.status || user != tc.user {
				t.Fatalf("GET /api/v1/me: %d %q, want %d %q", status, user, tc.status, tc.user)
			}
		})
	}

	t.Run("a peer that is not loopback is not signed in", func(t *testing.T) {
		rec := httptest.NewRecorder()
		s.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://127.0.0.1/api/v1/me", nil)) // RemoteAddr 192.0.2.1
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})

	t.Run("cross-site requests are still refused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/notifications/read-all", nil)
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site POST: %d", resp.StatusCode)
		}
	})

	t.Run("signing out does not lock the desktop user out", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/logout", nil)
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("logout: %d", resp.StatusCode)
		}
		if status, user := me(t, s, nil); status != 200 || user != "admin" {
			t.Fatalf("after logout: %d %q", status, user)
		}
	})
}

func TestDesktopModeOff(t *testing.T) {
	s := servertest.New(t)
	if status, _ := me(t, s, nil); status != http.StatusUnauthorized {
		t.Fatalf("without desktop_user a local request is signed in: %d", status)
	}
}
