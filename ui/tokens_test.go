package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

func TestTokens(t *testing.T) {
	b := newBelfry(t)
	ann, bob := b.user("ann", false), b.user("bob", false)
	c := b.login("ann")
	ctx := context.Background()

	st, page := c.get("/tokens", false)
	if st != http.StatusOK || !strings.Contains(page, "No tokens yet") || strings.Contains(page, `value="admin"`) {
		t.Fatalf("page of a non-admin: %d", st)
	}
	st, body := c.send(http.MethodPost, "/ui/tokens", url.Values{"name": {"backup <script>"}, "scope": {"publish"}})
	if st != http.StatusOK {
		t.Fatalf("create: %d\n%s", st, body)
	}
	m := regexp.MustCompile(`id="new-token" class="secret" type="text" readonly value="(blf_[A-Za-z0-9_-]+)"`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, `data-copy="#new-token"`) || !strings.Contains(body, "only time it is shown") {
		t.Fatalf("no secret with a copy button:\n%s", body)
	}
	if !strings.Contains(body, `backup &lt;script&gt;`) || !strings.Contains(body, `id="token-list" class="card table-card" aria-label="Your tokens" hx-swap-oob="true"`) {
		t.Errorf("list not swapped in with the ui.Escaped name:\n%s", body)
	}
	u, tok, err := b.Auth.TokenUser(ctx, m[1])
	if err != nil || u.ID != ann.ID || tok.Scope != app.ScopePublish {
		t.Fatalf("the shown secret: %v %v", u, err)
	}
	// The secret is never shown again.
	if _, page = c.get("/tokens", false); strings.Contains(page, m[1]) {
		t.Error("the secret is shown on the page")
	}

	for name, tc := range map[string]struct {
		form   url.Values
		status int
		msg    string
	}{
		"bad scope":       {url.Values{"scope": {"root"}}, http.StatusBadRequest, "scope must be client, publish or admin"},
		"no scope":        {url.Values{"name": {"x"}}, http.StatusBadRequest, "scope must be"},
		"long name":       {url.Values{"name": {strings.Repeat("n", 101)}, "scope": {"client"}}, http.StatusBadRequest, "at most 100"},
		"admin by a user": {url.Values{"scope": {"admin"}}, http.StatusForbidden, "Only administrators"},
	} {
		st, body := c.send(http.MethodPost, "/ui/tokens", tc.form)
		wantAlert(t, st, body, tc.status, tc.msg)
		if strings.Contains(body, "hx-swap-oob") {
			t.Errorf("%s: an error swaps the list", name)
		}
	}

	// Revoke: the token stops working; another user's is 404.
	_, bobTok, err := b.Auth.CreateToken(ctx, bob.ID, "bob's", app.ScopeClient)
	if err != nil {
		t.Fatal(err)
	}
	st, body = c.send(http.MethodDelete, "/ui/tokens/"+bobTok.ID, nil)
	wantAlert(t, st, body, http.StatusNotFound, "")
	st, body = c.send(http.MethodDelete, "/ui/tokens/"+tok.ID, nil)
	if st != http.StatusOK || !strings.Contains(body, "No tokens yet") {
		t.Errorf("revoke: %d\n%s", st, body)
	}
	if _, _, err := b.Auth.TokenUser(ctx, m[1]); err == nil {
		t.Error("a revoked token still works")
	}

	// Administrators may create admin tokens.
	b.user("root", true)
	admin := b.login("root")
	if _, page = admin.get("/tokens", false); !strings.Contains(page, `value="admin"`) {
		t.Error("no admin scope offered to an administrator")
	}
	if st, body = admin.send(http.MethodPost, "/ui/tokens", url.Values{"scope": {"admin"}}); st != http.StatusOK || !strings.Contains(body, "(unnamed)") {
		t.Errorf("admin token: %d\n%s", st, body)
	}
}
