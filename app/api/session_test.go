package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/belfry/belfry/app/web"
)

func form(values url.Values) (string, reqOpt) {
	return values.Encode(), header("Content-Type", "application/x-www-form-urlencoded")
}

func sessionCookie(t *testing.T, rec *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == web.SessionCookie {
			return c
		}
	}
	t.Fatalf("no session cookie set; headers %v", rec.Header())
	return nil
}

// manyLogins lets one address make the dozens of attempts of a test that is
// about something else than the login limits (login_limit_test.go).
func manyLogins() servertest.Option {
	return servertest.WithConfig(func(cfg *app.Config) { cfg.Auth.LoginBurst, cfg.Auth.UsernameFailureBurst = 1000, 1000 })
}

func TestLoginForm(t *testing.T) {
	h := newHarness(t, manyLogins())
	t.Run("OK", func(t *testing.T) {
		body, ct := form(url.Values{"username": {"alice"}, "password": {password}})
		rec := h.do("POST", "/login", body, ct)
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/" {
			t.Fatalf("Location %q", loc)
		}
		c := sessionCookie(t, rec)
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" || c.MaxAge <= 0 {
			t.Fatalf("cookie %+v", c)
		}
		wantStatus(t, h.do("GET", "/api/v1/me", "", cookie(c.Value)), 200)
	})
	t.Run("Next", func(t *testing.T) {
		for next, want := range map[string]string{
			"/notifications?x=1":    "/notifications?x=1",
			"//evil.example":        "/",
			"https://evil.example/": "/",
			"/\\evil.example":       "/",
			"/\t/evil.example":      "/",
			"/%2F/evil.example":     "/",
			"javascript:alert(1)":   "/",
			"":                      "/",
		} {
			body, ct := form(url.Values{"username": {"alice"}, "password": {password}, "next": {next}})
			rec := h.do("POST", "/login", body, ct)
			if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || loc != want {
				t.Fatalf("next %q: %d Location %q, want %q", next, rec.Code, loc, want)
			}
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		for v, want := range map[*url.Values]string{
			{"username": {"alice"}, "password": {"wrong password"}}: "/login?error=1&username=alice",
			{"username": {"nobody"}, "password": {password}}:        "/login?error=1&username=nobody",
			{}: "/login?error=1",
		} {
			body, ct := form(*v)
			rec := h.do("POST", "/login", body, ct)
			wantStatus(t, rec, http.StatusSeeOther)
			if loc := rec.Header().Get("Location"); loc != want {
				t.Fatalf("Location %q", loc)
			}
			if len(rec.Result().Cookies()) != 0 {
				t.Fatal("a failed login set a cookie")
			}
		}
		body, ct := form(url.Values{"username": {"alice"}, "password": {"nope"}, "next": {"/settings"}})
		if loc := h.do("POST", "/login", body, ct).Header().Get("Location"); loc != "/login?error=1&username=alice&next=%2Fsettings" {
			t.Fatalf("Location %q keeps no next", loc)
		}
	})
	t.Run("Oversized", func(t *testing.T) {
		body, ct := form(url.Values{"username": {"alice"}, "password": {strings.Repeat("p", 70<<10)}})
		wantError(t, h.do("POST", "/login", body, ct), http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE")
	})
}

func TestLoginJSON(t *testing.T) {
	h := newHarness(t)
	accept := header("Accept", "application/json")
	body, ct := form(url.Values{"username": {"alice"}, "password": {password}})
	rec := h.do("POST", "/login", body, ct, accept)
	wantJSON(t, rec, 200, `{"id":"`+h.alice.ID+`","username":"alice"}`)
	sessionCookie(t, rec)

	rec = h.do("POST", "/login", `{"username":"alice","password":"`+password+`"}`, accept)
	wantJSON(t, rec, 200, `{"id":"`+h.alice.ID+`","username":"alice"}`)

	body, ct = form(url.Values{"username": {"alice"}, "password": {"wrong password"}})
	msg := wantError(t, h.do("POST", "/login", body, ct, accept), 401, "UNAUTHENTICATED")
	if msg != "Wrong username or password." {
		t.Fatalf("message %q", msg)
	}
	wantError(t, h.do("POST", "/login", `{"username":"alice","password":"x","extra":1}`, accept), 400, "INVALID_PARAMETER")
	wantError(t, h.do("POST", "/login", `{"username":`, accept), 400, "INVALID_PARAMETER")
}

func TestLogout(t *testing.T) {
	h := newHarness(t)
	rec := h.do("POST", "/logout", "", cookie(h.aliceCookie))
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/login" {
		t.Fatalf("Location %q", loc)
	}
	if c := sessionCookie(t, rec); c.MaxAge >= 0 || c.Value != "" {
		t.Fatalf("cookie not cleared: %+v", c)
	}
	wantError(t, h.do("GET", "/api/v1/me", "", cookie(h.aliceCookie)), 401, "UNAUTHENTICATED")
	// Without a session, logging out still clears the cookie.
	wantStatus(t, h.do("POST", "/logout", ""), http.StatusSeeOther)
	wantJSON(t, h.do("POST", "/logout", "", cookie(h.rootCookie), header("Accept", "application/json")), 200, `{"ok":true}`)
	wantError(t, h.do("GET", "/api/v1/me", "", cookie(h.rootCookie)), 401, "UNAUTHENTICATED")
}

func TestSecureCookie(t *testing.T) {
	for _, c := range []struct {
		base, setting string
		secure        bool
	}{
		{"https://bell.example", "auto", true},
		{"http://bell.example", "auto", false},
		{"http://bell.example", "true", true},
		{"https://bell.example", "false", false},
	} {
		h := newHarness(t, servertest.WithConfig(func(cfg *app.Config) {
			cfg.Server.BaseURL = c.base
			cfg.Auth.CookieSecure = c.setting
		}))
		body, ct := form(url.Values{"username": {"alice"}, "password": {password}})
		if got := sessionCookie(t, h.do("POST", "/login", body, ct)).Secure; got != c.secure {
			t.Errorf("%s with %s: Secure %v, want %v", c.base, c.setting, got, c.secure)
		}
	}
}
