package ui_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/belfry/belfry/ui"
)

// wantAlert checks an htmx error answer: the status and an alert with msg.
func wantAlert(t *testing.T, status int, body string, wantStatus int, msg string) {
	t.Helper()
	if status != wantStatus {
		t.Errorf("status %d, want %d; body:\n%s", status, wantStatus, body)
	}
	if !strings.Contains(body, `class="alert alert-error"`) || !strings.Contains(body, msg) {
		t.Errorf("no alert saying %q in:\n%s", msg, body)
	}
}

func TestPagesNeedASession(t *testing.T) {
	b := newBelfry(t)
	u := b.user("ann", true)
	anon := b.anonymous()
	for _, p := range []string{"/", "/notifications", "/preferences", "/mutes", "/tokens", "/admin/users"} {
		resp := anon.do(http.MethodGet, p+"?x=1", nil, false)
		want := "/login?next=" + url.QueryEscape(p+"?x=1")
		if p == "/" {
			want = "/login?next=" + url.QueryEscape("/?x=1")
		}
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want 303 to %q", p, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	// htmx is redirected by header, to the page it was on.
	resp := anon.do(http.MethodGet, "/ui/notifications", nil, true)
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("HX-Redirect") != "/login?next=%2Fnotifications" {
		t.Errorf("htmx: %d HX-Redirect %q", resp.StatusCode, resp.Header.Get("HX-Redirect"))
	}
	// A form post without session gets a 401, not a redirect.
	resp = anon.do(http.MethodPost, "/ui/tokens", url.Values{"scope": {"publish"}}, false)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST without session: %d", resp.StatusCode)
	}
	// An API token does not open pages.
	req, _ := http.NewRequest(http.MethodGet, b.URL+"/notifications", nil)
	req.Header.Set("Authorization", "Bearer "+b.token(u))
	resp, err := anon.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("page with a bearer token: %d, want a redirect to the login page", resp.StatusCode)
	}
}

func TestLoginPage(t *testing.T) {
	b := newBelfry(t)
	b.user("ann", false)
	anon := b.anonymous()
	st, body := anon.get("/login?next=/tokens", false)
	if st != http.StatusOK || !strings.Contains(body, `name="next" value="/tokens"`) || !strings.Contains(body, "printed once") {
		t.Errorf("login page: %d\n%s", st, body)
	}
	if strings.Contains(body, "Wrong username") {
		t.Error("login page shows an error before any attempt")
	}
	if _, body = anon.get("/login?error=1", false); !strings.Contains(body, "Wrong username or password.") {
		t.Error("no error after a failed login")
	}
	for _, next := range []string{"//evil.example", "https://evil.example", "/\\evil.example", "/login", "/\t/evil.example"} {
		if _, body = anon.get("/login?next="+url.QueryEscape(next), false); strings.Contains(body, `name="next"`) {
			t.Errorf("next %q kept", next)
		}
	}
	// A wrong password comes back with the error; a right one goes to next.
	resp := anon.do(http.MethodPost, "/login", url.Values{"username": {"ann"}, "password": {"nope nope"}}, false)
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/login?error=1") {
		t.Errorf("failed login to %q", loc)
	}
	c := b.login("ann")
	resp = c.do(http.MethodGet, "/login?next=/tokens", nil, false)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tokens" {
		t.Errorf("signed-in login page: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A signed-in user is never sent to another host, however next is
	// disguised: browsers drop the tab of "/\t/evil.example" and read
	// "//evil.example".
	for _, next := range []string{"/%09/evil.example", "/%0A/evil.example", "%2F%2Fevil.example",
		"/%5Cevil.example", "/%252F/evil.example", "https://evil.example", "//evil.example"} {
		resp = c.do(http.MethodGet, "/login?next="+next, nil, false)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/notifications" {
			t.Errorf("signed-in login page with next=%s: %d to %q, want /notifications", next, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp = c.do(http.MethodGet, "/", nil, false)
	if resp.Header.Get("Location") != "/notifications" {
		t.Errorf("/ redirects to %q", resp.Header.Get("Location"))
	}
}

func TestSecurityHeaders(t *testing.T) {
	b := newBelfry(t)
	b.user("ann", false)
	c := b.login("ann")
	for _, p := range []string{"/notifications", "/ui/notifications", "/login"} {
		resp := c.do(http.MethodGet, p, nil, p != "/notifications")
		h := resp.Header
		if h.Get("Content-Security-Policy") != ui.ContentSecurityPolicy || h.Get("X-Frame-Options") != "DENY" ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", p, h)
		}
	}
	if !strings.Contains(ui.ContentSecurityPolicy, "script-src 'self';") || strings.Contains(ui.ContentSecurityPolicy, "unsafe") {
		t.Errorf("CSP allows inline script: %s", ui.ContentSecurityPolicy)
	}
	// Unsafe requests from another site are refused.
	req, _ := http.NewRequest(http.MethodPost, b.URL+"/ui/notifications/read-all", nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", resp.StatusCode)
	}
	// A form larger than the limit is refused with 413.
	big := url.Values{"name": {strings.Repeat("x", ui.MaxFormBytes)}, "scope": {"publish"}}
	st, body := c.send(http.MethodPost, "/ui/tokens", big)
	wantAlert(t, st, body, http.StatusRequestEntityTooLarge, "too large")
}

func TestNotFoundPage(t *testing.T) {
	b := newBelfry(t)
	b.user("ann", false)
	c := b.login("ann")
	// A browser that goes to an address with no page gets the UI's page,
	// in the layout of a signed-in user.
	resp := c.do(http.MethodGet, "/no/such/page", nil, false)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "There is no page at this address.") ||
		!strings.Contains(string(body), `href="/notifications"`) || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("not found page: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	// A client that does not ask for HTML gets the error envelope.
	rec := b.Do(http.MethodGet, "/no/such/page", "")
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), `"code":"NOT_FOUND"`) {
		t.Errorf("not found for an API client: %d %s", rec.Code, rec.Body)
	}
}
