package gotify_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// TestPaging follows Gotify's paging as the Android app does: limit
// messages newest first, paging.since the last id of the page and next
// the following page's request, until next is gone; every message once,
// ids descending, no gap.
func TestPaging(t *testing.T) {
	h := newHarness(t)
	alice := h.User("alice", false)
	token := h.Token(alice, app.ScopeClient)
	for i := range 5 {
		h.notify(alice, "", fmt.Sprintf("n%d", i), "")
	}
	var ids []int64
	path := "/message?limit=2"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		var p gotifyPage
		h.get(path, token, &p)
		if p.Paging.Limit != 2 || p.Paging.Size != len(p.Messages) {
			t.Errorf("%s: paging %+v with %d messages", path, p.Paging, len(p.Messages))
		}
		for _, m := range p.Messages {
			ids = append(ids, m.ID)
		}
		if p.Paging.Next != "" {
			want := fmt.Sprintf("/message?limit=2&since=%d", p.Paging.Since)
			if p.Paging.Next != want || p.Paging.Since != p.Messages[len(p.Messages)-1].ID {
				t.Errorf("%s: next %q since %d, want %q", path, p.Paging.Next, p.Paging.Since, want)
			}
		} else if p.Paging.Since != 0 {
			t.Errorf("last page: since %d, want 0", p.Paging.Since)
		}
		path = p.Paging.Next
	}
	if len(ids) != 5 || !slices.IsSortedFunc(ids, func(a, b int64) int { return int(b - a) }) || ids[0]-ids[4] != 4 {
		t.Errorf("ids over the pages: %v", ids)
	}
	// The app's "last received" probe, and since without more.
	var last gotifyPage
	h.get("/message?limit=1&since=0", token, &last)
	if len(last.Messages) != 1 || last.Messages[0].ID != ids[0] || last.Paging.Next == "" {
		t.Errorf("limit=1: %+v", last)
	}
	var rest gotifyPage
	h.get(fmt.Sprintf("/message?since=%d", ids[3]), token, &rest)
	if len(rest.Messages) != 1 || rest.Messages[0].ID != ids[4] || rest.Paging.Limit != 100 || rest.Paging.Next != "" {
		t.Errorf("since=%d: %+v", ids[3], rest)
	}
}

// TestPagingErrors: bad limits and sinces are 400 in Gotify's shape, on
// both message lists.
func TestPagingErrors(t *testing.T) {
	h := newHarness(t)
	alice := h.User("alice", false)
	token := h.Token(alice, app.ScopeClient)
	h.notify(alice, "", "hello", "")
	var apps []gotifyApplication
	h.get("/application", token, &apps)
	for _, base := range []string{"/message", fmt.Sprintf("/application/%d/message", apps[0].ID)} {
		for _, q := range []string{"limit=0", "limit=201", "limit=x", "limit=", "limit=1.5", "since=-1", "since=x", "since=", "since=99999999999999999999"} {
			st, body := h.call(http.MethodGet, base+"?"+q, token)
			wantError(t, base+"?"+q, st, body, http.StatusBadRequest)
		}
	}
	st, body := h.call(http.MethodGet, "/message", "")
	wantError(t, "no credential", st, body, http.StatusUnauthorized)
}

// TestApplications: the applications are the topics of the user's
// notifications — what a Gotify application token published, an ntfy
// topic, Belfry's own events (no topic) — with their images; the
// appid the publish answer gave is the application's id; pages and
// deletes per application see only that application; other users' and
// unknown applications are not found.
func TestApplications(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.User("alice", false), h.User("bob", false)
	token, bobs := h.Token(alice, app.ScopeClient), h.Token(bob, app.ScopeClient)
	proxmox, _ := h.app(alice, "Proxmox", app.ScopePublish)
	published := h.publish("/message?token="+proxmox, "application/json", `{"message":"backup ok","priority":2}`)
	native := h.notify(alice, "", "Job failed", "exit 1")
	h.notify(bob, "bobs-topic", "secret of bob", "")

	var apps []gotifyApplication
	h.get("/application", token, &apps)
	byName := map[string]gotifyApplication{}
	for _, a := range apps {
		byName[a.Name] = a
	}
	prox, own := byName["Proxmox"], byName["Belfry"]
	if len(apps) != 2 || prox.ID != published.AppID || own.ID < 1 || !own.Internal ||
		prox.Image != fmt.Sprintf("application/%d/image", prox.ID) {
		t.Fatalf("alice's applications: %+v (published appid %d)", apps, published.AppID)
	}
	var bobApps []gotifyApplication
	h.get("/application", bobs, &bobApps)
	if len(bobApps) != 1 || bobApps[0].Name != "bobs-topic" {
		t.Fatalf("bob's applications: %+v", bobApps)
	}

	var p gotifyPage
	h.get(fmt.Sprintf("/application/%d/message", prox.ID), token, &p)
	if len(p.Messages) != 1 || p.Messages[0].ID != published.ID || p.Messages[0].AppID != prox.ID || p.Messages[0].Message != "backup ok" {
		t.Errorf("Proxmox's messages: %+v", p.Messages)
	}
	for name, path := range map[string]string{
		"another user's application": fmt.Sprintf("/application/%d/message", bobApps[0].ID),
		"unknown application":        "/application/99999/message",
	} {
		st, body := h.call(http.MethodGet, path, token)
		wantError(t, name, st, body, http.StatusNotFound)
		st, body = h.call(http.MethodDelete, path, token)
		wantError(t, "delete "+name, st, body, http.StatusNotFound)
	}
	st, body := h.call(http.MethodGet, "/application/x/message", token)
	wantError(t, "application id not a number", st, body, http.StatusBadRequest)
	st, body = h.call(http.MethodDelete, "/application/0/message", token)
	wantError(t, "delete with application id 0", st, body, http.StatusBadRequest)
	st, body = h.call(http.MethodGet, "/application", "")
	wantError(t, "applications without a credential", st, body, http.StatusUnauthorized)

	rec := h.Do(http.MethodGet, "/"+prox.Image, "")
	if _, err := png.Decode(bytes.NewReader(rec.Body.Bytes())); rec.Code != 200 || rec.Header().Get("Content-Type") != "image/png" || err != nil {
		t.Errorf("image: %d %s, %v", rec.Code, rec.Header().Get("Content-Type"), err)
	}
	st, body = h.call(http.MethodGet, "/application/99999/image", "")
	wantError(t, "unknown application's image", st, body, http.StatusNotFound)
	st, body = h.call(http.MethodGet, "/application/-1/image", "")
	wantError(t, "bad application id's image", st, body, http.StatusBadRequest)

	// Deleting one application's messages leaves the others.
	if st, body := h.call(http.MethodDelete, fmt.Sprintf("/application/%d/message", prox.ID), token); st != 200 {
		t.Fatalf("delete Proxmox's messages: %d %s", st, body)
	}
	left := h.inbox(alice)
	if len(left) != 1 || left[0].ID != native {
		t.Errorf("alice's inbox after deleting Proxmox's messages: %v", left)
	}
	if len(h.inbox(bob)) != 1 {
		t.Error("bob lost his notification")
	}
}

// TestMessageJSON: the exact message JSON of a native event with a
// Markdown body and a target URL, of a title-only one, and of a Gotify
// publish with its own priority and extras; levels map to priorities that
// the publish dialect reads back as the same level.
func TestMessageJSON(t *testing.T) {
	h := newHarness(t)
	alice := h.User("alice", false)
	token := h.Token(alice, app.ScopeClient)
	res, err := h.Dispatcher.Notify(t.Context(), alice, &app.Event{Type: "job_failed", Title: "Build failed",
		Body: "**main** is red", Level: app.LevelError, TargetURL: "https://ci.example/42"})
	if err != nil {
		t.Fatal(err)
	}
	h.notify(alice, "", "Just a title", "")
	gotifyApp, _ := h.app(alice, "nas", app.ScopePublish)
	pub := h.publish("/message?token="+gotifyApp, "application/json",
		`{"title":"Disk","message":"sda at 91%","priority":6,"extras":{"custom::x":{"y":1}}}`)

	var p gotifyPage
	h.get("/message", token, &p)
	if len(p.Messages) != 3 {
		t.Fatalf("messages: %+v", p.Messages)
	}
	published, titleOnly, event := p.Messages[0], p.Messages[1], p.Messages[2]
	n, _ := h.Notifications.FindNotification(t.Context(), res.Notifications[0].ID)
	want := answer{ID: h.number(n.ID), AppID: h.appID(""), Title: "Build failed", Message: "**main** is red", Priority: 8,
		Date: n.CreatedAt, Extras: map[string]any{
			"client::display":      map[string]any{"contentType": "text/markdown"},
			"client::notification": map[string]any{"click": map[string]any{"url": "https://ci.example/42"}},
		}}
	if !reflect.DeepEqual(event, want) {
		t.Errorf("event:\n got %+v\nwant %+v", event, want)
	}
	if titleOnly.Title != "" || titleOnly.Message != "Just a title" || titleOnly.Priority != 3 {
		t.Errorf("title only: %+v", titleOnly)
	}
	if published.ID != pub.ID || published.AppID != pub.AppID || published.Title != "Disk" || published.Message != "sda at 91%" ||
		published.Priority != 6 || !reflect.DeepEqual(published.Extras, map[string]any{"custom::x": map[string]any{"y": float64(1)}}) ||
		!published.Date.Equal(pub.Date) {
		t.Errorf("published %+v, answer was %+v", published, pub)
	}
	if time.Since(event.Date) > time.Minute || event.Date.Location() != time.UTC {
		t.Errorf("date %v", event.Date)
	}
}

// TestRoutedApplicationInTheApp: a topic an admin routed to alice and bob
// is one application with one id for both, the appid the publish
// answered; each pages, receives and deletes their own copy only.
func TestRoutedApplicationInTheApp(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.User("alice", false), h.User("bob", false)
	if err := h.TopicRoutes.PutRoute(t.Context(), &app.Route{Topic: "household", Users: []string{"alice", "bob"}}); err != nil {
		t.Fatal(err)
	}
	aliceClient, bobClient := h.Token(alice, app.ScopeClient), h.Token(bob, app.ScopeClient)
	bobStream := h.dialStream(bobClient)
	publisher, _ := h.app(alice, "household", app.ScopePublish)
	a := h.publish("/message?token="+publisher, "application/json", `{"title":"Bins","message":"tonight"}`)

	var streamed answer
	if err := json.Unmarshal(bobStream.Next(), &streamed); err != nil || streamed.AppID != a.AppID || streamed.ID == a.ID {
		t.Fatalf("bob's frame %+v (alice's answer %+v), %v", streamed, a, err)
	}
	for name, token := range map[string]string{"alice": aliceClient, "bob": bobClient} {
		var apps []gotifyApplication
		h.get("/application", token, &apps)
		if !slices.ContainsFunc(apps, func(x gotifyApplication) bool { return x.Name == "household" && x.ID == a.AppID }) {
			t.Errorf("%s's applications %+v lack household %d", name, apps, a.AppID)
		}
	}
	if st, body := h.call(http.MethodDelete, fmt.Sprintf("/application/%d/message", a.AppID), bobClient); st != 200 {
		t.Fatalf("bob deletes household's messages: %d %s", st, body)
	}
	var p gotifyPage
	h.get(fmt.Sprintf("/application/%d/message", a.AppID), aliceClient, &p)
	if len(p.Messages) != 1 || p.Messages[0].ID != a.ID {
		t.Errorf("alice's household messages after bob deleted his: %+v", p.Messages)
	}
	st, body := h.call(http.MethodDelete, fmt.Sprintf("/message/%d", a.ID), bobClient)
	wantError(t, "bob deletes alice's copy", st, body, http.StatusNotFound)
}
