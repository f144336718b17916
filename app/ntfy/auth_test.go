package ntfy_test

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/web"
)

func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

func authParam(header string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(header))
}

// TestAuthForms: every way ntfy's docs authenticate a publish, each
// landing in the credential owner's inbox.
//
//	curl -H "Authorization: Bearer tk_…" -d "Look ma, with auth" https://ntfy.example.com/mysecrets
//	curl -u testuser:fakepassword -d "Look ma, with auth" https://ntfy.example.com/mysecrets
//	curl -u :tk_… -d "Look ma, with auth" https://ntfy.example.com/mysecrets
//	curl -d "Look ma, with auth" "https://ntfy.example.com/mysecrets?auth=QmFzaWMgZEdWemRIVnpaWEk2Wm1GclpYQmhjM04zYjNKaw"
func TestAuthForms(t *testing.T) {
	h := newHarness(t)
	testuser := h.a.User("testuser", false)
	admin := h.a.TokenFor("admin", true, app.ScopeAdmin)
	for _, c := range []struct {
		name, header, query string
		owner               *app.User
	}{
		{"bearer", "Bearer " + h.token, "", h.alice},
		{"bearer lower-case", "bearer " + h.token, "", h.alice},
		{"basic password", basic("testuser", apptest.Password), "", testuser},
		{"basic token", basic("", h.token), "", h.alice},
		{"auth param bearer", "", authParam("Bearer " + h.token), h.alice},
		{"auth param basic", "", authParam(basic("testuser", apptest.Password)), testuser},
		{"auth param padded", "", base64.URLEncoding.EncodeToString([]byte("Bearer " + h.token)), h.alice},
		{"auth param over a bad header", "Bearer nonsense", authParam("Bearer " + h.token), h.alice},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := req{method: "POST", path: "/mysecrets", body: "Look ma, with auth", noAuth: true}
			if c.header != "" {
				r.headers = []string{"Authorization: " + c.header}
			}
			if c.query != "" {
				r.path += "?auth=" + c.query
			}
			if _, n := h.published(r); n.UserID != c.owner.ID {
				t.Errorf("published for %s, not %s", n.UserID, c.owner.Username)
			}
		})
	}
	// An admin token publishes as on the native API.
	h.published(req{method: "POST", path: "/mysecrets", body: "x", noAuth: true, headers: []string{"Authorization: Bearer " + admin}})

	// A password publish opens no lasting session.
	var sessions int
	if err := h.a.DB.Reader().QueryRow("SELECT COUNT(*) FROM sessions").Scan(&sessions); err != nil || sessions != 0 {
		t.Errorf("%d sessions left by password publishes (%v)", sessions, err)
	}
}

// TestAuthRefusals: no or bad credentials are ntfy's 401 (40101), a token
// without publish scope its 403 (40301), each saying what is wrong.
func TestAuthRefusals(t *testing.T) {
	h := newHarness(t)
	client := h.a.Token(h.alice, app.ScopeClient)
	for _, c := range []struct {
		name, header, query string
		status, code        int
		says                string
	}{
		{"none", "", "", 401, 40101, "needs a publish token"},
		{"unknown token", "Bearer blf_nonsense", "", 401, 40101, "API token is missing, malformed, unknown or revoked"},
		{"wrong password", basic("alice", "wrong"), "", 401, 40101, "Wrong username or password"},
		{"unknown user", basic("nobody", "x"), "", 401, 40101, "Wrong username or password"},
		{"token with a username", basic("alice", h.token), "", 401, 40101, "leave the username empty"},
		{"bad basic", "Basic !!!", "", 401, 40101, "not base64"},
		{"other scheme", "WebPush abc", "", 401, 40101, `"WebPush" is not Bearer or Basic`},
		{"bad auth param", "", "%21%21", 401, 40101, "auth query parameter"},
		{"client token", "Bearer " + client, "", 403, 40301, "a client token may not publish"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := req{method: "POST", path: "/mysecrets", body: "x", noAuth: true}
			if c.header != "" {
				r.headers = []string{"Authorization: " + c.header}
			}
			if c.query != "" {
				r.path += "?auth=" + c.query
			}
			e := h.refused(r, c.status, c.code, c.says)
			if e.Link != "https://docs.ntfy.sh/publish/#authentication" {
				t.Errorf("link %q", e.Link)
			}
		})
	}
	// The JSON form authenticates the same way.
	h.refused(req{method: "POST", path: "/", body: `{"topic":"mysecrets","message":"x"}`, noAuth: true}, http.StatusUnauthorized, 40101, "unauthorized")
}

// TestAuthNoSession: a browser session does not authenticate ntfy's
// routes, so a page cannot make the browser publish (GET /<topic>/publish
// in an <img>).
func TestAuthNoSession(t *testing.T) {
	h := newHarness(t)
	h.refused(req{method: "GET", path: "/mytopic/publish?message=forged", noAuth: true,
		headers: []string{"Cookie: " + web.SessionCookie + "=" + h.a.Session(h.alice)}}, http.StatusUnauthorized, 40101, "needs a publish token")
}

// TestAuthPasswordGuessing: password publishes are sign-ins, with their
// limits: after auth.username_failure_burst wrong passwords for alice the
// next guess is ntfy's 429 (42901) with Retry-After, checked before any
// password is hashed.
func TestAuthPasswordGuessing(t *testing.T) {
	h := newHarness(t)
	guess := req{method: "POST", path: "/mysecrets", body: "x", noAuth: true,
		headers: []string{"Authorization: " + basic("alice", "wrong")}}
	for range app.DefaultConfig().Auth.UsernameFailureBurst {
		h.refused(guess, http.StatusUnauthorized, 40101, "Wrong username or password")
	}
	h.refused(guess, http.StatusTooManyRequests, 42901)
	if rp := h.do(guess); rp.header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After: %v", rp.header)
	}
}
