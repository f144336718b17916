package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

func TestRoutingNeedsAnAdministrator(t *testing.T) {
	b := newBelfry(t)
	b.user("ann", false)
	if err := b.TopicRoutes.PutRoute(context.Background(), &app.Route{Topic: "backups", Users: []string{"ann"}}); err != nil {
		t.Fatal(err)
	}
	c := b.login("ann")
	if st, body := c.get("/admin/routing", false); st != http.StatusForbidden || !strings.Contains(body, "Only administrators") {
		t.Errorf("routing page for a user: %d", st)
	}
	if _, page := c.get("/notifications", false); strings.Contains(page, `href="/admin/routing"`) {
		t.Error("a user sees the routing link")
	}
	for _, r := range []struct{ method, path string }{
		{http.MethodPost, "/ui/routing"}, {http.MethodPut, "/ui/routing"}, {http.MethodDelete, "/ui/routing/backups"},
	} {
		st, body := c.send(r.method, r.path, url.Values{"topic": {"backups"}, "users": {"ann"}})
		wantAlert(t, st, body, http.StatusForbidden, "Only administrators")
	}
	if got, err := b.TopicRoutes.FindRoute(context.Background(), "backups"); err != nil || len(got.Users) != 1 {
		t.Errorf("backups: %+v %v", got, err)
	}
}

func TestRouting(t *testing.T) {
	b := newBelfry(t)
	b.user("root", true)
	b.user("alice", false)
	bob := b.user("bob", false)
	c := b.login("root")
	ctx := context.Background()

	st, page := c.get("/admin/routing", false)
	if st != http.StatusOK || !strings.Contains(page, "No topic is routed") || !strings.Contains(page, `value="alice"`) ||
		!strings.Contains(page, `href="/admin/routing"`) {
		t.Fatalf("page: %d\n%s", st, page)
	}

	// Route a Gotify application's name: a confirmation, the list out of band.
	st, body := c.send(http.MethodPost, "/ui/routing", url.Values{"topic": {"Home Assistant"}, "users": {"bob", "alice"}})
	if st != http.StatusOK || !strings.Contains(body, "<strong>Home Assistant</strong> goes to alice, bob.") ||
		!strings.Contains(body, `hx-swap-oob="true"`) || !strings.Contains(body, `hx-delete="/ui/routing/Home%20Assistant"`) {
		t.Fatalf("route: %d\n%s", st, body)
	}
	if got, _ := b.TopicRoutes.RouteUsers(ctx, "Home Assistant"); strings.Join(got, ",") != "alice,bob" {
		t.Fatalf("stored %v", got)
	}
	for name, tc := range map[string]struct {
		form url.Values
		msg  string
	}{
		"nobody":       {url.Values{"topic": {"backups"}}, "Tick at least one person"},
		"no topic":     {url.Values{"users": {"alice"}}, "A topic must be"},
		"slash":        {url.Values{"topic": {"a/b"}, "users": {"alice"}}, "A topic must be"},
		"unknown user": {url.Values{"topic": {"backups"}, "users": {"zed"}}, `no user &#34;zed&#34;`},
	} {
		st, body := c.send(http.MethodPost, "/ui/routing", tc.form)
		wantAlert(t, st, body, http.StatusBadRequest, tc.msg)
		if strings.Contains(body, "hx-swap-oob") {
			t.Errorf("%s: an error swaps the list", name)
		}
	}

	// Change a route from its row: the list comes back with a flash.
	st, body = c.send(http.MethodPut, "/ui/routing", url.Values{"topic": {"Home Assistant"}, "users": {"bob"}})
	if st != http.StatusOK || !strings.Contains(body, "“Home Assistant” goes to bob.") || !strings.Contains(body, `id="route-list"`) {
		t.Fatalf("change: %d\n%s", st, body)
	}
	st, body = c.send(http.MethodPut, "/ui/routing", url.Values{"topic": {"Home Assistant"}})
	wantAlert(t, st, body, http.StatusBadRequest, "Tick at least one person")

	// Deleting bob empties the route; stopping a route that is gone is a 404.
	if err := b.Auth.DeleteUser(ctx, bob.ID); err != nil {
		t.Fatal(err)
	}
	if _, page := c.get("/admin/routing", false); !strings.Contains(page, "No topic is routed") {
		t.Error("the route outlived its only user")
	}
	st, body = c.send(http.MethodDelete, "/ui/routing/Home%20Assistant", nil)
	wantAlert(t, st, body, http.StatusNotFound, "is not routed")

	c.send(http.MethodPost, "/ui/routing", url.Values{"topic": {"backups"}, "users": {"alice"}})
	st, body = c.send(http.MethodDelete, "/ui/routing/backups", nil)
	if st != http.StatusOK || !strings.Contains(body, "No topic is routed") {
		t.Fatalf("stop routing: %d\n%s", st, body)
	}
}
