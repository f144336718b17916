package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

// protected lists one request per authenticated route.
var protected = []struct{ method, path, body string }{
	{"POST", "/api/v1/events", `{"type":"job_failed","title":"x"}`},
	{"GET", "/api/v1/me", ""},
	{"GET", "/api/notifications", ""},
	{"DELETE", "/api/notifications", ""},
	{"POST", "/api/notifications/read-all", ""},
	{"PATCH", "/api/notifications/read-all", ""},
	{"PATCH", "/api/notifications/0190f0a4-0000-7000-8000-000000000000/read", ""},
	{"DELETE", "/api/notifications/0190f0a4-0000-7000-8000-000000000000", ""},
	{"GET", "/api/notifications/preferences", ""},
	{"PUT", "/api/notifications/preferences", `{}`},
	{"GET", "/api/notifications/mutes", ""},
	{"POST", "/api/notifications/mutes", `{"app_label":"a","model_name":"b","object_id":"c"}`},
	{"DELETE", "/api/notifications/mutes/0190f0a4-0000-7000-8000-000000000000", ""},
	{"GET", "/api/tokens", ""},
	{"POST", "/api/tokens", `{"name":"x","scope":"client"}`},
	{"DELETE", "/api/tokens/0190f0a4-0000-7000-8000-000000000000", ""},
	{"GET", "/api/users", ""},
	{"POST", "/api/users", `{"username":"x","password":"long enough"}`},
	{"PUT", "/api/users/0190f0a4-0000-7000-8000-000000000000/password", `{"password":"long enough"}`},
	{"DELETE", "/api/users/0190f0a4-0000-7000-8000-000000000000", ""},
}

func TestAuthentication(t *testing.T) {
	h := newHarness(t)
	for _, r := range protected {
		name := r.method + " " + r.path
		wantError(t, h.do(r.method, r.path, r.body), http.StatusUnauthorized, "UNAUTHENTICATED")
		for _, bad := range []reqOpt{
			bearer("blf_" + strings.Repeat("A", 43)), // well-formed, unknown
			bearer("nonsense"),
			header("Authorization", "Basic YWxpY2U6cHc="),
			header("Authorization", "Bearer"),
		} {
			rec := h.do(r.method, r.path, r.body, bad)
			if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), app.CodeInvalidToken) {
				t.Fatalf("%s with a bad token: %d %s", name, rec.Code, rec.Body)
			}
		}
		// A bad token is not rescued by a valid cookie.
		wantError(t, h.do(r.method, r.path, r.body, bearer("nonsense"), cookie(h.aliceCookie)), http.StatusUnauthorized, app.CodeInvalidToken)
		wantError(t, h.do(r.method, r.path, r.body, cookie("expired-or-unknown")), http.StatusUnauthorized, "UNAUTHENTICATED")
	}
}

func TestScopes(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name, method, path, body string
		cred                     reqOpt
		status                   int
	}{
		{"publish token cannot list", "GET", "/api/notifications", "", bearer(h.alicePublish), 403},
		{"publish token cannot read preferences", "GET", "/api/notifications/preferences", "", bearer(h.alicePublish), 403},
		{"publish token cannot mute", "GET", "/api/notifications/mutes", "", bearer(h.alicePublish), 403},
		{"client token cannot publish", "POST", "/api/v1/events", `{"type":"job_failed","title":"x"}`, bearer(h.aliceClient), 403},
		{"client token cannot create tokens", "POST", "/api/tokens", `{"name":"x","scope":"client"}`, bearer(h.aliceClient), 403},
		{"publish token cannot list tokens", "GET", "/api/tokens", "", bearer(h.alicePublish), 403},
		{"client token of an admin is no admin", "GET", "/api/users", "", bearer(h.Token(h.root, app.ScopeClient)), 403},
		{"plain user cannot administer", "GET", "/api/users", "", cookie(h.aliceCookie), 403},
		{"client token lists", "GET", "/api/notifications", "", bearer(h.aliceClient), 200},
		{"publish token publishes", "POST", "/api/v1/events", `{"type":"job_failed","title":"x"}`, bearer(h.alicePublish), 202},
		{"session publishes", "POST", "/api/v1/events", `{"type":"job_failed","title":"x"}`, cookie(h.aliceCookie), 202},
		{"session lists", "GET", "/api/notifications", "", cookie(h.aliceCookie), 200},
		{"admin token lists", "GET", "/api/notifications", "", bearer(h.rootAdmin), 200},
		{"admin token publishes", "POST", "/api/v1/events", `{"type":"job_failed","title":"x"}`, bearer(h.rootAdmin), 202},
		{"admin token administers", "GET", "/api/users", "", bearer(h.rootAdmin), 200},
		{"admin session administers", "GET", "/api/users", "", cookie(h.rootCookie), 200},
		{"any scope may ask who it is", "GET", "/api/v1/me", "", bearer(h.alicePublish), 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := h.do(c.method, c.path, c.body, c.cred)
			if c.status == 403 {
				wantError(t, rec, 403, "FORBIDDEN")
				return
			}
			wantStatus(t, rec, c.status)
		})
	}
}

func TestCrossOriginGuard(t *testing.T) {
	h := newHarness(t)
	const path = "/api/notifications/read-all"
	cases := []struct {
		name   string
		opts   []reqOpt
		status int
	}{
		{"cross-site cookie POST", []reqOpt{cookie(h.aliceCookie), header("Sec-Fetch-Site", "cross-site")}, 403},
		{"same-site other origin", []reqOpt{cookie(h.aliceCookie), header("Sec-Fetch-Site", "same-site")}, 403},
		{"foreign Origin without Sec-Fetch-Site", []reqOpt{cookie(h.aliceCookie), header("Origin", "https://evil.example")}, 403},
		{"same-origin", []reqOpt{cookie(h.aliceCookie), header("Sec-Fetch-Site", "same-origin")}, 200},
		{"non-browser client", []reqOpt{cookie(h.aliceCookie)}, 200},
		{"base URL origin behind a proxy", []reqOpt{cookie(h.aliceCookie), header("Sec-Fetch-Site", "cross-site"), header("Origin", h.Config.Server.BaseURL)}, 200},
		{"bearer from anywhere", []reqOpt{bearer(h.aliceClient), header("Sec-Fetch-Site", "cross-site"), header("Origin", "https://evil.example")}, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := h.do("POST", path, "", c.opts...)
			if c.status == 403 {
				wantError(t, rec, 403, "FORBIDDEN")
				return
			}
			wantStatus(t, rec, c.status)
		})
	}
	t.Run("login form from another site", func(t *testing.T) {
		rec := h.do("POST", "/login", "username=alice&password="+url.QueryEscape(password),
			header("Content-Type", "application/x-www-form-urlencoded"), header("Sec-Fetch-Site", "cross-site"))
		wantError(t, rec, 403, "FORBIDDEN")
	})
	t.Run("safe methods pass", func(t *testing.T) {
		wantStatus(t, h.do("GET", "/api/notifications", "", cookie(h.aliceCookie), header("Sec-Fetch-Site", "cross-site")), 200)
	})
}
