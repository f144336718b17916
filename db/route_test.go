package db

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

func TestRouteStore(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewRouteStore(d)
	alice, _ := mustUser(t, d, "alice"), mustUser(t, d, "Bob")
	mustUser(t, d, "carol")

	// A route names users in any letter case, once each; they come back as
	// stored, in username order.
	r := &app.Route{Topic: " backups ", Users: []string{"carol", "ALICE", "bob", "alice"}}
	if err := s.PutRoute(ctx, r); err != nil {
		t.Fatal(err)
	}
	want := []string{"alice", "Bob", "carol"}
	if r.Topic != "backups" || !reflect.DeepEqual(r.Users, want) {
		t.Fatalf("stored %+v", r)
	}
	if got, err := s.RouteUsers(ctx, "backups"); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("RouteUsers = %v, %v", got, err)
	}
	// Topics are exact: another letter case is another topic.
	if got, err := s.RouteUsers(ctx, "Backups"); err != nil || got != nil {
		t.Fatalf("RouteUsers(Backups) = %v, %v", got, err)
	}

	// Putting again replaces the users.
	if err := s.PutRoute(ctx, &app.Route{Topic: "backups", Users: []string{"bob"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRoute(ctx, &app.Route{Topic: "alerts", Users: []string{"alice", "carol"}}); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListRoutes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantList := []*app.Route{{Topic: "alerts", Users: []string{"alice", "carol"}}, {Topic: "backups", Users: []string{"Bob"}}}
	if !reflect.DeepEqual(list, wantList) {
		t.Fatalf("ListRoutes = %v", routeStrings(list))
	}

	// Unknown users and invalid routes change nothing.
	err = s.PutRoute(ctx, &app.Route{Topic: "alerts", Users: []string{"alice", "zed"}})
	wantKind(t, err, app.EINVALID)
	if !strings.Contains(err.Error(), `"zed"`) {
		t.Errorf("unknown user error %v", err)
	}
	for _, bad := range []*app.Route{
		{Topic: "alerts"}, {Topic: "", Users: []string{"alice"}}, {Topic: "a/b", Users: []string{"alice"}},
		{Topic: "..", Users: []string{"alice"}}, {Topic: "tab\there", Users: []string{"alice"}},
		{Topic: strings.Repeat("t", app.MaxFieldLen+1), Users: []string{"alice"}}, {Topic: "x", Users: []string{"<b>"}},
	} {
		wantKind(t, s.PutRoute(ctx, bad), app.EINVALID)
	}
	if got, _ := s.FindRoute(ctx, "alerts"); !reflect.DeepEqual(got.Users, []string{"alice", "carol"}) {
		t.Fatalf("alerts after refused puts: %+v", got)
	}

	// Deleting a user removes them from every route; a route left empty is
	// gone.
	if err := NewUserStore(d).DeleteUser(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FindRoute(ctx, "alerts"); err != nil || !reflect.DeepEqual(got.Users, []string{"carol"}) {
		t.Fatalf("alerts after deleting alice: %+v, %v", got, err)
	}
	bob, _ := NewUserStore(d).FindUserByName(ctx, "bob")
	if err := NewUserStore(d).DeleteUser(ctx, bob.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.FindRoute(ctx, "backups")
	wantKind(t, err, app.ENOTFOUND)

	if err := s.DeleteRoute(ctx, "alerts"); err != nil {
		t.Fatal(err)
	}
	wantKind(t, s.DeleteRoute(ctx, "alerts"), app.ENOTFOUND)
	if list, err := s.ListRoutes(ctx); err != nil || len(list) != 0 {
		t.Fatalf("routes left: %v, %v", routeStrings(list), err)
	}
}

func routeStrings(rs []*app.Route) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Topic+"→"+strings.Join(r.Users, ","))
	}
	return out
}

// TestRouteQueryPlans: what every dialect publish reads — a topic's users,
// a notification's and a token's number — is answered from an index.
func TestRouteQueryPlans(t *testing.T) {
	d, _ := mustOpen(t)
	for _, tc := range []struct{ name, q, want string }{
		{"RouteUsers", routeUsersSQL, "SEARCH r USING PRIMARY KEY (topic=?)"},
		{"NotificationNumber", notificationNumberSQL, "(notification_id=?)"},
		{"TokenNumber", tokenNumberSQL, "(token_id=?)"},
	} {
		plan := queryPlan(t, d, tc.q, "x")
		if !strings.Contains(plan, tc.want) || strings.Contains(plan, "SCAN") {
			t.Errorf("%s: plan\n%s\nwant %s and no scan", tc.name, plan, tc.want)
		}
	}
}
