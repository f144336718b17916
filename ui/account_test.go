package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The account page changes the caller's own password: every bad form is a
// 4xx alert that changes nothing; a good one keeps this session, ends the
// others and clears the banner.
func TestAccountPassword(t *testing.T) {
	b := newBelfry(t)
	b.user("ann", false)
	c := b.login("ann")
	elsewhere := b.login("ann")
	ctx := context.Background()

	if st, page := c.get("/account", false); st != http.StatusOK || !strings.Contains(page, `hx-put="/ui/account/password"`) || !strings.Contains(page, `autocomplete="current-password"`) {
		t.Fatalf("account page: %d\n%s", st, page)
	}
	if _, page := c.get("/notifications", false); !strings.Contains(page, `href="/account"`) || strings.Contains(page, "Choose your own password") {
		t.Errorf("the layout lacks the account link or asks ann, whose password is her own, to replace it")
	}
	change := func(current, next, confirm string) url.Values {
		return url.Values{"current": {current}, "password": {next}, "confirm": {confirm}}
	}
	for name, tc := range map[string]struct {
		form    url.Values
		message string
	}{
		"wrong current":   {change("not the password", "a brand new one", "a brand new one"), "current password is not right"},
		"no current":      {change("", "a brand new one", "a brand new one"), "current password is not right"},
		"mismatch":        {change(testPassword, "a brand new one", "a brand new two"), "differ"},
		"short":           {change(testPassword, "short", "short"), "at least 8"},
		"too long":        {change(testPassword, strings.Repeat("x", 1025), strings.Repeat("x", 1025)), "at most 1024"},
		"same as current": {change(testPassword, testPassword, testPassword), "must differ"},
		"nothing":         {url.Values{}, ""},
	} {
		st, body := c.send(http.MethodPut, "/ui/account/password", tc.form)
		t.Run(name, func(t *testing.T) { wantAlert(t, st, body, http.StatusBadRequest, tc.message) })
	}
	if st, body := c.send(http.MethodPut, "/ui/account/password", url.Values{"current": {strings.Repeat("x", 70<<10)}}); st != http.StatusRequestEntityTooLarge {
		t.Errorf("a huge form: %d %s", st, body)
	}
	if _, _, err := b.Auth.Login(ctx, "", "ann", testPassword); err != nil {
		t.Fatalf("a refused change changed the password: %v", err)
	}

	st, body := c.send(http.MethodPut, "/ui/account/password", change(testPassword, "ann's own choice", "ann's own choice"))
	if st != http.StatusOK || !strings.Contains(body, "Password changed") || !strings.Contains(body, `id="password-banner" hx-swap-oob="true"`) {
		t.Fatalf("change: %d\n%s", st, body)
	}
	if st, _ := c.get("/account", false); st != http.StatusOK {
		t.Errorf("the session that changed the password was signed out: %d", st)
	}
	if st, _ := elsewhere.get("/account", false); st != http.StatusSeeOther {
		t.Errorf("another session of ann's still opens pages: %d", st)
	}
	if _, _, err := b.Auth.Login(ctx, "ann", "ann", "ann's own choice"); err != nil {
		t.Errorf("the new password does not work: %v", err)
	}
}

// The first admin, whose password Belfry printed, is asked on every page to
// replace it until they do; so is a user whose password an administrator
// reset.
func TestTemporaryPasswordBanner(t *testing.T) {
	b := newBelfry(t)
	b.user("root", true)
	bob := b.user("bob", false)
	adminClient := b.anonymous()
	resp := adminClient.do(http.MethodPost, "/login", url.Values{"username": {"admin"}, "password": {b.AdminPassword}}, false)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin login: %d", resp.StatusCode)
	}
	for _, p := range []string{"/notifications", "/preferences", "/account"} {
		if _, page := adminClient.get(p, false); !strings.Contains(page, "Choose your own password") {
			t.Errorf("%s does not ask the first admin to replace the printed password", p)
		}
	}
	root := b.login("root")
	if st, body := root.send(http.MethodPut, "/ui/users/"+bob.ID+"/password", url.Values{"password": {"set by root"}}); st != http.StatusOK {
		t.Fatalf("reset: %d %s", st, body)
	}
	bobClient := b.anonymous()
	bobClient.do(http.MethodPost, "/login", url.Values{"username": {"bob"}, "password": {"set by root"}}, false)
	if _, page := bobClient.get("/notifications", false); !strings.Contains(page, "Choose your own password") {
		t.Error("bob, whose password root reset, is not asked to choose his own")
	}
	bobClient.send(http.MethodPut, "/ui/account/password", url.Values{"current": {"set by root"}, "password": {"bob's own"}, "confirm": {"bob's own"}})
	if _, page := bobClient.get("/notifications", false); strings.Contains(page, "Choose your own password") {
		t.Error("bob is still asked after choosing his own")
	}
	if _, page := root.get("/notifications", false); strings.Contains(page, "Choose your own password") {
		t.Error("root, who chose his own, is asked")
	}
}
