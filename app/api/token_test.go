package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	h := newHarness(t)
	var created map[string]any
	t.Run("Create", func(t *testing.T) {
		rec := h.do("POST", "/api/tokens", `{"name":"phone","scope":"client"}`, cookie(h.aliceCookie))
		wantStatus(t, rec, http.StatusCreated)
		decode(t, rec, &created)
		if len(created) != 5 || created["name"] != "phone" || created["scope"] != "client" || created["id"] == "" {
			t.Fatalf("created %s", rec.Body)
		}
		if !regexp.MustCompile(`^blf_[A-Za-z0-9_-]{43}$`).MatchString(created["token"].(string)) {
			t.Fatalf("token %v", created["token"])
		}
		if _, err := time.Parse(time.RFC3339, created["created_at"].(string)); err != nil {
			t.Fatal(err)
		}
		wantJSON(t, h.do("GET", "/api/v1/me", "", bearer(created["token"].(string))), 200,
			`{"id":"`+h.alice.ID+`","username":"alice","is_admin":false,"temporary_password":false}`)
		wantStatus(t, h.do("POST", "/api/tokens", `{"name":"ops","scope":"admin"}`, bearer(h.rootAdmin)), http.StatusCreated)
	})
	t.Run("List", func(t *testing.T) {
		rec := h.do("GET", "/api/tokens", "", cookie(h.aliceCookie))
		wantStatus(t, rec, 200)
		if strings.Contains(rec.Body.String(), created["token"].(string)) || strings.Contains(rec.Body.String(), `"token"`) ||
			strings.Contains(rec.Body.String(), "hash") {
			t.Fatalf("list shows a secret: %s", rec.Body)
		}
		var res struct{ Tokens []map[string]any }
		decode(t, rec, &res)
		// alice's harness tokens (client, publish) and the new one; never bob's.
		if len(res.Tokens) != 3 {
			t.Fatalf("%d tokens: %s", len(res.Tokens), rec.Body)
		}
		for _, tok := range res.Tokens {
			if len(tok) != 5 {
				t.Fatalf("token fields %v", tok)
			}
			if tok["id"] == created["id"] && tok["last_used_at"] != nil {
				// Use is recorded in memory until the flush.
				t.Fatalf("last_used_at written per request: %v", tok)
			}
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		for name, c := range map[string]struct {
			body   string
			status int
			code   string
		}{
			"bad scope":           {`{"name":"x","scope":"root"}`, 400, "INVALID_PARAMETER"},
			"missing scope":       {`{"name":"x"}`, 400, "INVALID_PARAMETER"},
			"scope not a string":  {`{"name":"x","scope":1}`, 400, "INVALID_PARAMETER"},
			"name too long":       {`{"name":"` + strings.Repeat("n", 101) + `","scope":"client"}`, 400, "INVALID_PARAMETER"},
			"unknown field":       {`{"name":"x","scope":"client","user_id":"x"}`, 400, "INVALID_PARAMETER"},
			"bad JSON":            {`{"name":`, 400, "INVALID_PARAMETER"},
			"admin for non-admin": {`{"name":"x","scope":"admin"}`, 403, "FORBIDDEN"},
		} {
			t.Run(name, func(t *testing.T) {
				wantError(t, h.do("POST", "/api/tokens", c.body, cookie(h.aliceCookie)), c.status, c.code)
			})
		}
	})
	t.Run("Revoke", func(t *testing.T) {
		id, secret := created["id"].(string), created["token"].(string)
		wantError(t, h.do("DELETE", "/api/tokens/"+id, "", bearer(h.rootAdmin)), 404, "NOT_FOUND")
		wantError(t, h.do("DELETE", "/api/tokens/bad", "", cookie(h.aliceCookie)), 400, "INVALID_PARAMETER")
		wantJSON(t, h.do("DELETE", "/api/tokens/"+id, "", cookie(h.aliceCookie)), 200, `{"ok":true}`)
		wantError(t, h.do("GET", "/api/v1/me", "", bearer(secret)), 401, "AUTH_INVALID_TOKEN")
		wantError(t, h.do("DELETE", "/api/tokens/"+id, "", cookie(h.aliceCookie)), 404, "NOT_FOUND")
	})
}
