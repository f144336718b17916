package ui

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
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
	for _, next := range []string{"//evil.example", "https://evil.example", "/\\evil.example", "/login"} {
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
		if h.Get("Content-Security-Policy") != contentSecurityPolicy || h.Get("X-Frame-Options") != "DENY" ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", p, h)
		}
	}
	if !strings.Contains(contentSecurityPolicy, "script-src 'self';") || strings.Contains(contentSecurityPolicy, "unsafe") {
		t.Errorf("CSP allows inline script: %s", contentSecurityPolicy)
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
	big := url.Values{"name": {strings.Repeat("x", maxFormBytes)}, "scope": {"publish"}}
	st, body := c.send(http.MethodPost, "/ui/tokens", big)
	wantAlert(t, st, body, http.StatusRequestEntityTooLarge, "too large")
}

func TestStaticAssets(t *testing.T) {
	b := newBelfry(t)
	c := b.anonymous()
	u := b.UI.assets
	for _, name := range []string{"app.css", "app.js", "live.js", "favicon.svg", "vendor/htmx.min.js", "vendor/ws.min.js"} {
		resp := c.do(http.MethodGet, u.URL(name), nil, false)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || len(body) == 0 {
			t.Errorf("%s: %d %q %d bytes", name, resp.StatusCode, resp.Header.Get("Cache-Control"), len(body))
		}
	}
	resp := c.do(http.MethodGet, u.URL("app.js"), nil, false)
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("app.js served as %q", ct)
	}
	// gzip when asked for.
	req, _ := http.NewRequest(http.MethodGet, b.URL+u.URL("vendor/htmx.min.js"), nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	zr, err := gzip.NewReader(resp.Body)
	if resp.Header.Get("Content-Encoding") != "gzip" || err != nil {
		t.Fatalf("not gzipped: %v %v", resp.Header, err)
	}
	if js, _ := io.ReadAll(zr); !strings.Contains(string(js), "htmx") {
		t.Error("gzipped htmx is not htmx")
	}
	// A stale hash still gets the file, uncached; an unknown file is 404;
	// a matching ETag is 304.
	resp = c.do(http.MethodGet, "/static/000000000000/app.css", nil, false)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("stale hash: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if resp = c.do(http.MethodGet, "/static/000000000000/nope.js", nil, false); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown asset: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodGet, b.URL+u.URL("app.css"), nil)
	req.Header.Set("If-None-Match", `"`+u.byName["app.css"].hash+`"`)
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"": false, "gzip": true, "br, gzip;q=0.5": true, "gzip;q=0": false, "gzip; q=0.0": false, "deflate": false, "GZIP": true,
	} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v", h, got)
		}
	}
}

func TestNotFoundPage(t *testing.T) {
	b := newBelfry(t)
	b.user("ann", false)
	r := gin.New()
	r.NoRoute(b.UI.NotFound)
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/no/such/page", nil))
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "There is no page at this address.") ||
		w.Header().Get("Content-Security-Policy") == "" {
		t.Errorf("not found: %d %v\n%s", w.Code, w.Header(), w.Body)
	}
}
