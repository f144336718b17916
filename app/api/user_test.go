package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestUsers(t *testing.T) {
	h := newHarness(t)
	var carol map[string]any
	t.Run("List", func(t *testing.T) {
		rec := h.do("GET", "/api/users", "", cookie(h.rootCookie))
		wantStatus(t, rec, 200)
		if strings.Contains(rec.Body.String(), "argon2") || strings.Contains(rec.Body.String(), "password") {
			t.Fatalf("list leaks password hashes: %s", rec.Body)
		}
		var res struct{ Users []map[string]any }
		decode(t, rec, &res)
		if len(res.Users) != 4 { // the first admin of the start, alice, bob, root
			t.Fatalf("%d users", len(res.Users))
		}
	})
	t.Run("Create", func(t *testing.T) {
		rec := h.do("POST", "/api/users", `{"username":"carol","password":"long enough","is_admin":false}`, bearer(h.rootAdmin))
		wantStatus(t, rec, http.StatusCreated)
		decode(t, rec, &carol)
		if carol["username"] != "carol" || carol["is_admin"] != false || carol["id"] == "" || carol["email"] != "" || len(carol) != 5 {
			t.Fatalf("created %s", rec.Body)
		}
		if _, _, err := h.Auth.Login(context.Background(), "", "carol", "long enough"); err != nil {
			t.Fatalf("new user cannot log in: %v", err)
		}
	})
	t.Run("CreateInvalid", func(t *testing.T) {
		for name, c := range map[string]struct {
			body   string
			status int
			code   string
		}{
			"taken":          {`{"username":"Carol","password":"long enough"}`, 409, "CONFLICT"},
			"bad name":       {`{"username":"no spaces","password":"long enough"}`, 400, "INVALID_PARAMETER"},
			"short password": {`{"username":"dave","password":"short"}`, 400, "INVALID_PARAMETER"},
			"admin not bool": {`{"username":"dave","password":"long enough","is_admin":"yes"}`, 400, "INVALID_PARAMETER"},
			"unknown field":  {`{"username":"dave","password":"long enough","role":"x"}`, 400, "INVALID_PARAMETER"},
			"bad JSON":       {`{`, 400, "INVALID_PARAMETER"},
		} {
			t.Run(name, func(t *testing.T) {
				wantError(t, h.do("POST", "/api/users", c.body, cookie(h.rootCookie)), c.status, c.code)
			})
		}
	})
	t.Run("SetPassword", func(t *testing.T) {
		path := "/api/users/" + carol["id"].(string) + "/password"
		wantJSON(t, h.do("PUT", path, `{"password":"brand new pw"}`, cookie(h.rootCookie)), 200, `{"ok":true}`)
		if _, _, err := h.Auth.Login(context.Background(), "", "carol", "brand new pw"); err != nil {
			t.Fatalf("new password rejected: %v", err)
		}
		wantError(t, h.do("PUT", path, `{"password":"short"}`, cookie(h.rootCookie)), 400, "INVALID_PARAMETER")
		wantError(t, h.do("PUT", path, `{"password":5}`, cookie(h.rootCookie)), 400, "INVALID_PARAMETER")
		wantError(t, h.do("PUT", "/api/users/x/password", `{"password":"long enough"}`, cookie(h.rootCookie)), 400, "INVALID_PARAMETER")
		wantError(t, h.do("PUT", "/api/users/0190f0a4-0000-7000-8000-000000000000/password", `{"password":"long enough"}`, cookie(h.rootCookie)), 404, "NOT_FOUND")
		wantError(t, h.do("PUT", path, `{"password":"long enough"}`, cookie(h.aliceCookie)), 403, "FORBIDDEN")
	})
	t.Run("Delete", func(t *testing.T) {
		wantError(t, h.do("DELETE", "/api/users/"+h.root.ID, "", cookie(h.rootCookie)), 409, "CONFLICT")
		wantError(t, h.do("DELETE", "/api/users/"+h.bob.ID, "", cookie(h.aliceCookie)), 403, "FORBIDDEN")
		wantError(t, h.do("DELETE", "/api/users/nope", "", cookie(h.rootCookie)), 400, "INVALID_PARAMETER")
		wantStatus(t, h.do("GET", "/api/v1/me", "", bearer(h.bobClient)), 200) // now cached
		wantJSON(t, h.do("DELETE", "/api/users/"+h.bob.ID, "", bearer(h.rootAdmin)), 200, `{"ok":true}`)
		wantError(t, h.do("GET", "/api/v1/me", "", bearer(h.bobClient)), 401, "AUTH_INVALID_TOKEN")
		wantError(t, h.do("DELETE", "/api/users/"+h.bob.ID, "", bearer(h.rootAdmin)), 404, "NOT_FOUND")
	})
}
