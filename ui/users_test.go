package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

func TestUsersNeedAnAdministrator(t *testing.T) {
	b := newBelfry(t)
	b.user("ann", false)
	bob := b.user("bob", false)
	c := b.login("ann")
	st, body := c.get("/admin/users", false)
	if st != http.StatusForbidden || !strings.Contains(body, "Only administrators") {
		t.Errorf("users page for a user: %d", st)
	}
	if _, page := c.get("/notifications", false); strings.Contains(page, `href="/admin/users"`) {
		t.Error("a user sees the users link")
	}
	for _, r := range []struct{ method, path string }{
		{http.MethodPost, "/ui/users"}, {http.MethodPut, "/ui/users/" + bob.ID + "/password"}, {http.MethodDelete, "/ui/users/" + bob.ID},
	} {
		st, body := c.send(r.method, r.path, url.Values{"username": {"eve"}, "password": {"password123"}})
		wantAlert(t, st, body, http.StatusForbidden, "Only administrators")
	}
	if _, err := b.Users.FindUserByID(context.Background(), bob.ID); err != nil {
		t.Errorf("bob: %v", err)
	}
}

func TestUsers(t *testing.T) {
	b := newBelfry(t)
	root := b.user("root", true)
	c := b.login("root")
	ctx := context.Background()

	st, body := c.send(http.MethodPost, "/ui/users", url.Values{"username": {"carol"}, "password": {"carol's password"}, "is_admin": {"1"}})
	if st != http.StatusOK || !strings.Contains(body, "User <strong>carol</strong> added.") || !strings.Contains(body, `hx-swap-oob="true"`) {
		t.Fatalf("add: %d\n%s", st, body)
	}
	carol, err := b.Users.FindUserByName(ctx, "carol")
	if err != nil || !carol.IsAdmin {
		t.Fatalf("carol: %+v %v", carol, err)
	}
	for name, tc := range map[string]struct {
		form   url.Values
		status int
		msg    string
	}{
		"taken name":     {url.Values{"username": {"carol"}, "password": {"long enough"}}, http.StatusConflict, ""},
		"bad name":       {url.Values{"username": {"<b>"}, "password": {"long enough"}}, http.StatusBadRequest, "Username"},
		"short password": {url.Values{"username": {"dave"}, "password": {"short"}}, http.StatusBadRequest, "at least 8"},
	} {
		st, body := c.send(http.MethodPost, "/ui/users", tc.form)
		wantAlert(t, st, body, tc.status, tc.msg)
		if strings.Contains(body, "hx-swap-oob") {
			t.Errorf("%s: an error swaps the list", name)
		}
	}

	// Reset a password: the new one works.
	st, body = c.send(http.MethodPut, "/ui/users/"+carol.ID+"/password", url.Values{"password": {"a new password"}})
	if st != http.StatusOK || !strings.Contains(body, "Password of carol changed.") {
		t.Errorf("reset: %d\n%s", st, body)
	}
	if _, _, err := b.Auth.Login(ctx, "", "carol", "a new password"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	st, body = c.send(http.MethodPut, "/ui/users/"+carol.ID+"/password", url.Values{"password": {"short"}})
	wantAlert(t, st, body, http.StatusBadRequest, "at least 8")
	st, body = c.send(http.MethodPut, "/ui/users/01900000-0000-7000-8000-000000000009/password", url.Values{"password": {"long enough"}})
	wantAlert(t, st, body, http.StatusNotFound, "")

	// Delete: not yourself; others go with their data.
	st, body = c.send(http.MethodDelete, "/ui/users/"+root.ID, nil)
	wantAlert(t, st, body, http.StatusConflict, "your own account")
	st, body = c.send(http.MethodDelete, "/ui/users/"+carol.ID, nil)
	if st != http.StatusOK || strings.Contains(body, "carol") || !strings.Contains(body, "root") {
		t.Errorf("delete: %d\n%s", st, body)
	}
	if _, err := b.Users.FindUserByID(ctx, carol.ID); app.ErrorKind(err) != app.ENOTFOUND {
		t.Errorf("carol after delete: %v", err)
	}
	st, body = c.send(http.MethodDelete, "/ui/users/"+carol.ID, nil)
	wantAlert(t, st, body, http.StatusNotFound, "")
}
