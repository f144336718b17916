package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app/web"
)

// PUT /api/v1/me/password: the caller changes their own password; every
// bad input is a 4xx envelope that changes nothing.
func TestChangeOwnPassword(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	other := h.Session(h.alice)
	for name, c := range map[string]struct {
		body   string
		status int
		code   string
	}{
		"wrong current":  {`{"current_password":"not the one","password":"a brand new one"}`, 400, "INVALID_PARAMETER"},
		"no current":     {`{"password":"a brand new one"}`, 400, "INVALID_PARAMETER"},
		"short new":      {`{"current_password":"` + password + `","password":"short"}`, 400, "INVALID_PARAMETER"},
		"same as before": {`{"current_password":"` + password + `","password":"` + password + `"}`, 400, "INVALID_PARAMETER"},
		"too long new":   {`{"current_password":"` + password + `","password":"` + strings.Repeat("x", 1025) + `"}`, 400, "INVALID_PARAMETER"},
		"not a string":   {`{"current_password":"` + password + `","password":12345678}`, 400, "INVALID_PARAMETER"},
		"unknown field":  {`{"current_password":"` + password + `","password":"a brand new one","username":"bob"}`, 400, "INVALID_PARAMETER"},
		"bad JSON":       {`{`, 400, "INVALID_PARAMETER"},
		"too large":      {`{"current_password":"` + strings.Repeat("x", web.MaxBody) + `"}`, 413, "PAYLOAD_TOO_LARGE"},
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, h.do("PUT", "/api/v1/me/password", c.body, cookie(h.aliceCookie)), c.status, c.code)
		})
	}
	// Tokens that are not admin tokens may not; nobody may anonymously.
	wantError(t, h.do("PUT", "/api/v1/me/password", `{"current_password":"`+password+`","password":"a brand new one"}`, bearer(h.aliceClient)), 403, "FORBIDDEN")
	wantError(t, h.do("PUT", "/api/v1/me/password", `{"current_password":"`+password+`","password":"a brand new one"}`), 401, "UNAUTHENTICATED")
	if _, _, err := h.Auth.Login(ctx, "", "alice", password); err != nil {
		t.Fatalf("a refused change changed the password: %v", err)
	}

	wantJSON(t, h.do("PUT", "/api/v1/me/password", `{"current_password":"`+password+`","password":"a brand new one"}`, cookie(h.aliceCookie)), 200, `{"ok":true}`)
	if _, err := h.Auth.SessionUser(ctx, h.aliceCookie); err != nil {
		t.Errorf("the session that changed it was signed out: %v", err)
	}
	if _, err := h.Auth.SessionUser(ctx, other); err == nil {
		t.Error("alice's other session survived")
	}
	if _, err := h.Auth.SessionUser(ctx, h.rootCookie); err != nil {
		t.Errorf("root's session ended: %v", err)
	}
	wantStatus(t, h.do("GET", "/api/v1/me", "", bearer(h.aliceClient)), http.StatusOK) // tokens stay
	if _, _, err := h.Auth.Login(ctx, "", "alice", "a brand new one"); err != nil {
		t.Fatalf("the new password does not work: %v", err)
	}

	// An admin token changes its owner's password and ends all their sessions.
	wantJSON(t, h.do("PUT", "/api/v1/me/password", `{"current_password":"`+password+`","password":"root's new one"}`, bearer(h.rootAdmin)), 200, `{"ok":true}`)
	if _, err := h.Auth.SessionUser(ctx, h.rootCookie); err == nil {
		t.Error("root's session survived a change made with a token")
	}
}

// A password an administrator set for someone else is temporary until they
// choose their own; one an administrator sets for themselves is not.
func TestTemporaryPasswordAfterReset(t *testing.T) {
	h := newHarness(t)
	wantJSON(t, h.do("PUT", "/api/users/"+h.alice.ID+"/password", `{"password":"given by root"}`, bearer(h.rootAdmin)), 200, `{"ok":true}`)
	alice := h.Session(h.alice)
	wantJSON(t, h.do("GET", "/api/v1/me", "", cookie(alice)), 200,
		`{"id":"`+h.alice.ID+`","username":"alice","is_admin":false,"temporary_password":true}`)
	wantJSON(t, h.do("PUT", "/api/v1/me/password", `{"current_password":"given by root","password":"alice's own"}`, cookie(alice)), 200, `{"ok":true}`)
	wantJSON(t, h.do("GET", "/api/v1/me", "", cookie(alice)), 200,
		`{"id":"`+h.alice.ID+`","username":"alice","is_admin":false,"temporary_password":false}`)

	wantJSON(t, h.do("PUT", "/api/users/"+h.root.ID+"/password", `{"password":"root chose it"}`, bearer(h.rootAdmin)), 200, `{"ok":true}`)
	wantJSON(t, h.do("GET", "/api/v1/me", "", bearer(h.rootAdmin)), 200,
		`{"id":"`+h.root.ID+`","username":"root","is_admin":true,"temporary_password":false}`)
}
