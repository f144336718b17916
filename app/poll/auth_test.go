package poll

import (
	"context"
	"net/http"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
)

func TestAuthentication(t *testing.T) {
	h := newHarness(t, nil)
	owner, client := h.user("alice")
	n := h.insert(owner, notif{})[0]
	paths := []struct{ method, path, body string }{
		{http.MethodGet, base, ""},
		{http.MethodGet, base + "/" + n.ID, ""},
		{http.MethodPost, base + "/" + n.ID + "/acknowledge", ""},
		{http.MethodPost, base + "/acknowledge", `{"ids":["` + n.ID + `"]}`},
	}
	ctx := context.Background()

	t.Run("NoCredentials", func(t *testing.T) {
		for _, p := range paths {
			r := h.request(ctx, p.method, p.path, "", p.body)
			wantError(t, r, http.StatusUnauthorized, app.CodeInvalidToken, "Bearer")
			if r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s %s: no WWW-Authenticate header", p.method, p.path)
			}
		}
	})

	t.Run("SessionCookieAlone", func(t *testing.T) {
		u, err := h.auth.CreateUser(ctx, "browser", "correct horse", false)
		if err != nil {
			t.Fatal(err)
		}
		cookie, _, err := h.auth.Login(ctx, "", u.Username, "correct horse")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			r := h.request(ctx, p.method, p.path, "", p.body, "Cookie: "+web.SessionCookie+"="+cookie)
			wantError(t, r, http.StatusUnauthorized, app.CodeInvalidToken, "session cookie")
		}
	})

	t.Run("BadTokens", func(t *testing.T) {
		for name, header := range map[string]string{
			"BasicScheme":     "Basic YWxpY2U6c2VjcmV0",
			"EmptyBearer":     "Bearer ",
			"Malformed":       "Bearer not-a-token",
			"Unknown":         "Bearer blf_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			"TrailingGarbage": "Bearer " + client + "x",
		} {
			t.Run(name, func(t *testing.T) {
				r := h.request(ctx, http.MethodGet, base, "", "", "Authorization: "+header)
				wantError(t, r, http.StatusUnauthorized, app.CodeInvalidToken)
			})
		}
	})

	t.Run("RevokedToken", func(t *testing.T) {
		u, _ := h.user("revoker")
		secret, tok, err := h.auth.CreateToken(ctx, u.ID, "phone", app.ScopeClient)
		if err != nil {
			t.Fatal(err)
		}
		if r := h.get(base, secret); r.status != http.StatusOK {
			t.Fatalf("before revoking: %d %s", r.status, r.body)
		}
		if err := h.auth.RevokeToken(ctx, u.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			wantError(t, h.request(ctx, p.method, p.path, secret, p.body), http.StatusUnauthorized, app.CodeInvalidToken)
		}
	})

	t.Run("PublishTokenForbidden", func(t *testing.T) {
		publish := h.token(owner, app.ScopePublish)
		for _, p := range paths {
			wantError(t, h.request(ctx, p.method, p.path, publish, p.body), http.StatusForbidden, app.CodeForbidden, "publish", "client")
		}
	})

	t.Run("ClientAndAdminTokens", func(t *testing.T) {
		admin := &app.User{Username: "root", IsAdmin: true, PasswordHash: "x"}
		if err := h.users.CreateUser(ctx, admin); err != nil {
			t.Fatal(err)
		}
		adminToken := h.token(admin, app.ScopeAdmin)
		if got := h.list(client, "").ids(); len(got) != 1 || got[0] != n.ID {
			t.Fatalf("client token lists %v, want [%s]", got, n.ID)
		}
		// An admin token reads its own owner's notifications only.
		if got := h.list(adminToken, "").ids(); len(got) != 0 {
			t.Fatalf("admin token lists %v, want nothing of alice's", got)
		}
		wantError(t, h.get(base+"/"+n.ID, adminToken), http.StatusForbidden, app.CodeNotificationDenied)
	})
}
