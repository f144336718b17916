package gotify_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/server/servertest"
)

// TestLogin walks the Android app's login: it checks the URL with GET
// /version, the username and password with GET /current/user (Basic
// auth), creates its client with POST /client and from then on sends the
// client token; it logs out by finding its client in GET /client and
// deleting it, after which the token no longer works.
func TestLogin(t *testing.T) {
	h := newHarness(t)
	alice := h.User("alice", false)
	basic := func(r *servertest.Request) { r.Headers.Set("Authorization", basicAuth("alice", apptest.Password)) }

	var v struct{ Version, Commit, BuildDate string }
	h.get("/version", "", &v)
	if v.Version == "" {
		t.Errorf("version %+v", v)
	}
	var health struct{ Health, Database string }
	h.get("/health", "", &health)
	if health.Health != "green" || health.Database != "green" {
		t.Errorf("health %+v", health)
	}

	st, body := h.call(http.MethodGet, "/current/user", "", basic)
	var user struct {
		ID    int64  `json:"id"`
		Name  string `json:"name"`
		Admin bool   `json:"admin"`
	}
	if err := json.Unmarshal(body, &user); err != nil || st != 200 || user.ID < 1 || user.Name != "alice" || user.Admin {
		t.Fatalf("current user with Basic: %d %s", st, body)
	}
	st, body = h.call(http.MethodGet, "/current/user", "", func(r *servertest.Request) {
		r.Headers.Set("Authorization", basicAuth("alice", "wrong password"))
	})
	wantError(t, "wrong password", st, body, http.StatusUnauthorized)

	rec := h.Do(http.MethodPost, "/client", `{"name":"Pixel 8"}`, basic)
	var c gotifyClient
	if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil || rec.Code != 200 || c.ID < 1 || c.Name != "Pixel 8" || c.Token == "" {
		t.Fatalf("POST /client: %d %s", rec.Code, rec.Body)
	}
	var again struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	h.get("/current/user", c.Token, &again)
	if again.ID != user.ID || again.Name != "alice" {
		t.Errorf("current user with the client token: %+v", again)
	}
	toks, _ := h.Auth.ListTokens(t.Context(), alice.ID)
	if len(toks) != 1 || toks[0].Scope != app.ScopeClient || toks[0].Name != "Pixel 8" {
		t.Errorf("Belfry tokens after the login: %+v", toks)
	}

	// A second client: listed, but its secret is not shown to the first.
	other := h.Do(http.MethodPost, "/client", "name=Tablet", basic, servertest.Header("Content-Type", "application/x-www-form-urlencoded"))
	if other.Code != 200 {
		t.Fatalf("form POST /client: %d %s", other.Code, other.Body)
	}
	var clients []gotifyClient
	h.get("/client", c.Token, &clients)
	if len(clients) != 2 || clients[0].ID != c.ID || clients[0].Token != c.Token || clients[1].Name != "Tablet" || clients[1].Token != "" {
		t.Fatalf("GET /client: %+v", clients)
	}
	if st, body := h.call(http.MethodDelete, fmt.Sprintf("/client/%d", c.ID), c.Token); st != 200 {
		t.Fatalf("DELETE /client/%d: %d %s", c.ID, st, body)
	}
	st, body = h.call(http.MethodGet, "/current/user", c.Token)
	wantError(t, "the deleted client's token", st, body, http.StatusUnauthorized)
}

// TestClientErrors: every bad input of the client routes gets Gotify's
// error shape.
func TestClientErrors(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.User("alice", false), h.User("bob", false)
	token, bobs := h.Token(alice, app.ScopeClient), h.Token(bob, app.ScopeClient)
	publish := h.Token(alice, app.ScopePublish)
	var bobClients []gotifyClient
	h.get("/client", bobs, &bobClients)
	var mine []gotifyClient
	h.get("/client", token, &mine)

	for _, tc := range []struct {
		name, method, path, body, token, contentType string
		status                                       int
	}{
		{"no credential", "GET", "/current/user", "", "", "", 401},
		{"unknown token", "GET", "/client", "", "blf_not-a-token", "", 401},
		{"publish token", "GET", "/current/user", "", publish, "", 403},
		{"publish token on the stream", "GET", "/stream", "", publish, "", 403},
		{"no name", "POST", "/client", `{}`, token, "application/json", 400},
		{"blank name", "POST", "/client", `{"name":"  "}`, token, "application/json", 400},
		{"not JSON", "POST", "/client", `{"name":`, token, "application/json", 400},
		{"other content type", "POST", "/client", `name`, token, "text/plain", 400},
		{"name too long", "POST", "/client", `{"name":"` + strings.Repeat("x", 300) + `"}`, token, "application/json", 400},
		{"client id not a number", "DELETE", "/client/abc", "", token, "", 400},
		{"client id zero", "DELETE", "/client/0", "", token, "", 400},
		{"unknown client", "DELETE", "/client/99999", "", token, "", 404},
		{"another user's client", "DELETE", fmt.Sprintf("/client/%d", bobClients[0].ID), "", token, "", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := []func(*servertest.Request){}
			if tc.token != "" {
				opts = append(opts, servertest.Header("X-Gotify-Key", tc.token))
			}
			if tc.contentType != "" {
				opts = append(opts, servertest.Header("Content-Type", tc.contentType))
			}
			rec := h.Do(tc.method, tc.path, tc.body, opts...)
			wantError(t, tc.method+" "+tc.path, rec.Code, rec.Body.Bytes(), tc.status)
		})
	}
	// Bob's client survived alice's attempt.
	if st, _ := h.call(http.MethodGet, "/current/user", bobs); st != 200 {
		t.Errorf("bob's token after alice tried to delete it: %d", st)
	}
	if len(mine) != 1 || mine[0].Token != token {
		t.Errorf("alice's clients: %+v", mine)
	}
}

// TestCredentialForms: the client token is read from X-Gotify-Key,
// ?token= and Authorization: Bearer, as Gotify's clients send it; an
// admin token passes too.
func TestCredentialForms(t *testing.T) {
	h := newHarness(t)
	root := h.User("root", true)
	token, admin := h.Token(root, app.ScopeClient), h.Token(root, app.ScopeAdmin)
	for name, opts := range map[string][]func(*servertest.Request){
		"X-Gotify-Key": {servertest.Header("X-Gotify-Key", token)},
		"Bearer":       {servertest.Bearer(token)},
		"admin token":  {servertest.Bearer(admin)},
	} {
		if rec := h.Do(http.MethodGet, "/current/user", "", opts...); rec.Code != 200 {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	if rec := h.Do(http.MethodGet, "/current/user?token="+token, ""); rec.Code != 200 {
		t.Errorf("?token=: %d %s", rec.Code, rec.Body)
	}
	// A session cookie is not a Gotify credential.
	rec := h.Do(http.MethodGet, "/current/user", "", servertest.Cookie(h.Session(root)))
	wantError(t, "session cookie", rec.Code, rec.Body.Bytes(), http.StatusUnauthorized)
}

func basicAuth(user, password string) string {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(user, password)
	return r.Header.Get("Authorization")
}

// TestLoginLimits: the app's Basic logins count against Belfry's login
// limits; past them the answer is Gotify's 429 with Retry-After, even for
// the right password.
func TestLoginLimits(t *testing.T) {
	h := &harness{App: servertest.New(t, servertest.WithConfig(func(c *app.Config) {
		c.Auth.UsernameFailuresPerMinute, c.Auth.UsernameFailureBurst = 1, 2
	})), t: t}
	h.User("alice", false)
	wrong := func(r *servertest.Request) { r.Headers.Set("Authorization", basicAuth("alice", "wrong password")) }
	for range 2 {
		st, body := h.call(http.MethodGet, "/current/user", "", wrong)
		wantError(t, "wrong password", st, body, http.StatusUnauthorized)
	}
	rec := h.Do(http.MethodGet, "/current/user", "", func(r *servertest.Request) {
		r.Headers.Set("Authorization", basicAuth("alice", apptest.Password))
	})
	wantError(t, "past the limit", rec.Code, rec.Body.Bytes(), http.StatusTooManyRequests)
	if rec.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
}
