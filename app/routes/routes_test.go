package routes_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ingest"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/belfry/belfry/app/web"
)

type route struct {
	Topic string   `json:"topic"`
	Users []string `json:"users"`
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder, status int) T {
	t.Helper()
	var v T
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s: %v", rec.Body, err)
	}
	return v
}

// wantError checks the native error envelope.
func wantError(t *testing.T, what string, rec *httptest.ResponseRecorder, status int, says string) {
	t.Helper()
	var env web.Envelope
	if rec.Code != status || json.Unmarshal(rec.Body.Bytes(), &env) != nil || env.Error.Code == "" || !strings.Contains(env.Error.Message, says) {
		t.Errorf("%s: %d %s; want %d saying %q", what, rec.Code, rec.Body, status, says)
	}
}

func TestRoutesAPI(t *testing.T) {
	a := servertest.New(t)
	root := a.User("root", true)
	a.User("alice", false)
	a.User("bob", false)
	admin := servertest.Bearer(a.Token(root, app.ScopeAdmin))
	session := servertest.Cookie(a.Session(root))

	if got := decode[map[string][]route](t, a.Do("GET", "/api/v1/routes", "", admin), 200); len(got["routes"]) != 0 {
		t.Fatalf("routes at start: %v", got)
	}
	r := decode[route](t, a.Do("PUT", "/api/v1/routes/backups", `{"users":["bob","Alice"]}`, admin), 200)
	if r.Topic != "backups" || strings.Join(r.Users, ",") != "alice,bob" {
		t.Fatalf("put: %+v", r)
	}
	// Any characters but "/" name a topic, a Gotify application's name with spaces too.
	r = decode[route](t, a.Do("PUT", "/api/v1/routes/Home%20Assistant", `{"users":["alice"]}`, session), 200)
	if r.Topic != "Home Assistant" {
		t.Fatalf("put with a space: %+v", r)
	}
	r = decode[route](t, a.Do("PUT", "/api/v1/routes/backups", `{"users":["bob"]}`, admin), 200)
	if strings.Join(r.Users, ",") != "bob" {
		t.Fatalf("replace: %+v", r)
	}
	if got := decode[route](t, a.Do("GET", "/api/v1/routes/backups", "", admin), 200); strings.Join(got.Users, ",") != "bob" {
		t.Fatalf("get: %+v", got)
	}
	list := decode[map[string][]route](t, a.Do("GET", "/api/v1/routes", "", session), 200)["routes"]
	if len(list) != 2 || list[0].Topic != "Home Assistant" || list[1].Topic != "backups" {
		t.Fatalf("list: %+v", list)
	}
	if got := decode[map[string]bool](t, a.Do("DELETE", "/api/v1/routes/backups", "", admin), 200); !got["ok"] {
		t.Fatalf("delete: %v", got)
	}
	wantError(t, "get deleted", a.Do("GET", "/api/v1/routes/backups", "", admin), 404, `"backups" is not routed`)
	wantError(t, "delete again", a.Do("DELETE", "/api/v1/routes/backups", "", admin), 404, "not routed")
}

// TestRoutesAPIErrors: who may not manage routes, and every bad input, get
// a clear 4xx in the native envelope and change nothing.
func TestRoutesAPIErrors(t *testing.T) {
	a := servertest.New(t)
	root, alice := a.User("root", true), a.User("alice", false)
	admin := servertest.Bearer(a.Token(root, app.ScopeAdmin))
	if err := a.TopicRoutes.PutRoute(context.Background(), &app.Route{Topic: "alerts", Users: []string{"alice"}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, method, path, body string
		cred                     func(*servertest.Request)
		status                   int
		says                     string
	}{
		{"anonymous", "GET", "/api/v1/routes", "", func(*servertest.Request) {}, 401, "Authentication required"},
		{"user session", "GET", "/api/v1/routes", "", servertest.Cookie(a.Session(alice)), 403, "Only administrators"},
		{"user's admin-less token", "PUT", "/api/v1/routes/alerts", `{"users":["alice"]}`, servertest.Bearer(a.Token(alice, app.ScopePublish)), 403, "publish token"},
		{"admin's publish token", "DELETE", "/api/v1/routes/alerts", "", servertest.Bearer(a.Token(root, app.ScopePublish)), 403, "publish token"},
		{"bad token", "GET", "/api/v1/routes", "", servertest.Bearer("blf_nope"), 401, "token"},
		{"no users", "PUT", "/api/v1/routes/alerts", `{"users":[]}`, admin, 400, "at least one user"},
		{"users missing", "PUT", "/api/v1/routes/alerts", `{}`, admin, 400, "at least one user"},
		{"unknown user", "PUT", "/api/v1/routes/alerts", `{"users":["alice","zed"]}`, admin, 400, `no user "zed"`},
		{"bad username", "PUT", "/api/v1/routes/alerts", `{"users":["<b>"]}`, admin, 400, "Username"},
		{"users not a list", "PUT", "/api/v1/routes/alerts", `{"users":"alice"}`, admin, 400, "users must be an array"},
		{"unknown field", "PUT", "/api/v1/routes/alerts", `{"users":["alice"],"topic":"x"}`, admin, 400, "Unknown field"},
		{"not JSON", "PUT", "/api/v1/routes/alerts", `{"users":`, admin, 400, "not valid JSON"},
		{"empty body", "PUT", "/api/v1/routes/alerts", ``, admin, 400, "empty"},
		{"too many users", "PUT", "/api/v1/routes/alerts", `{"users":[` + strings.Repeat(`"alice",`, app.MaxRecipients) + `"alice"]}`, admin, 400, "at most 1000"},
		{"huge body", "PUT", "/api/v1/routes/alerts", `{"users":["` + strings.Repeat("a", 80<<10) + `"]}`, admin, 413, "larger than"},
		{"long topic", "PUT", "/api/v1/routes/" + strings.Repeat("t", app.MaxFieldLen+1), `{"users":["alice"]}`, admin, 400, "A topic must be"},
		{"dot topic", "GET", "/api/v1/routes/.", "", admin, 400, "A topic must be"},
		{"control character", "DELETE", "/api/v1/routes/a%09b", "", admin, 400, "A topic must be"},
		{"spaces around", "PUT", "/api/v1/routes/%20alerts", `{"users":["alice"]}`, admin, 400, "surrounding spaces"},
		{"unknown topic", "GET", "/api/v1/routes/nope", "", admin, 404, "not routed"},
	} {
		wantError(t, c.name, a.Do(c.method, c.path, c.body, c.cred), c.status, c.says)
	}
	if got, err := a.TopicRoutes.FindRoute(context.Background(), "alerts"); err != nil || strings.Join(got.Users, ",") != "alice" {
		t.Errorf("alerts after the refused requests: %+v, %v", got, err)
	}
}

// TestRoutedTopic: an ntfy-style topic routed to alice and bob reaches
// both, each with their own read state, when alice publishes; carol, who is
// neither in the route nor an admin, publishes to herself only. Deleting
// bob takes him out of the route.
func TestRoutedTopic(t *testing.T) {
	a := servertest.New(t)
	ctx := context.Background()
	root, alice, bob, carol := a.User("root", true), a.User("alice", false), a.User("bob", false), a.User("carol", false)
	admin := servertest.Bearer(a.Token(root, app.ScopeAdmin))
	decode[route](t, a.Do("PUT", "/api/v1/routes/backups", `{"users":["alice","bob"]}`, admin), 200)

	inbox := func(u *app.User) []*app.Notification {
		t.Helper()
		ns, err := a.Notifications.ListNotifications(ctx, app.NotificationFilter{UserID: u.ID})
		if err != nil {
			t.Fatal(err)
		}
		return ns
	}
	msg := ingest.Message{Source: "ntfy", Topic: "backups", Body: "Nightly backup done"}
	res, err := a.Ingest.Publish(ctx, alice, msg)
	if err != nil || len(res.Notifications) != 2 {
		t.Fatalf("publish: %+v, %v", res, err)
	}
	if len(inbox(alice)) != 1 || len(inbox(bob)) != 1 || inbox(bob)[0].ServiceID != "backups" {
		t.Fatalf("alice %d bob %d", len(inbox(alice)), len(inbox(bob)))
	}
	if err := a.Inbox.MarkRead(ctx, bob.ID, inbox(bob)[0].ID); err != nil {
		t.Fatal(err)
	}
	if inbox(bob)[0].ReadAt == nil || inbox(alice)[0].ReadAt != nil {
		t.Error("bob's read state is alice's too")
	}

	if _, err := a.Ingest.Publish(ctx, carol, ingest.Message{Source: "ntfy", Topic: "backups", Body: "carol's"}); err != nil {
		t.Fatal(err)
	}
	if len(inbox(carol)) != 1 || len(inbox(alice)) != 1 || len(inbox(bob)) != 1 {
		t.Errorf("carol's message: carol %d alice %d bob %d", len(inbox(carol)), len(inbox(alice)), len(inbox(bob)))
	}

	rec := a.Do("DELETE", "/api/users/"+bob.ID, "", admin)
	if rec.Code != http.StatusOK {
		t.Fatalf("delete bob: %d %s", rec.Code, rec.Body)
	}
	if got := decode[route](t, a.Do("GET", "/api/v1/routes/backups", "", admin), 200); strings.Join(got.Users, ",") != "alice" {
		t.Errorf("route after deleting bob: %+v", got)
	}
}
