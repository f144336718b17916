package gotify_test

import (
	"context"
	"testing"

	"github.com/belfry/belfry/app"
)

// TestRoutedApplication: an application (a token's name) an admin routed
// to alice and bob gives each of them their own notification, read state
// and all, when alice publishes or an admin does; carol, who is neither in
// the route nor an admin, publishes under the same name to herself only.
func TestRoutedApplication(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	alice, bob, carol, root := h.User("alice", false), h.User("bob", false), h.User("carol", false), h.User("root", true)
	if err := h.TopicRoutes.PutRoute(ctx, &app.Route{Topic: "household", Users: []string{"alice", "bob"}}); err != nil {
		t.Fatal(err)
	}
	aliceApp, _ := h.app(alice, "household", app.ScopePublish)
	a := h.publish("/message?token="+aliceApp, "application/json", `{"title":"Bins","message":"Put the bins out tonight.","priority":5}`)
	na, nb := h.only(alice), h.only(bob)
	if na.ID == nb.ID || na.Title != "Bins" || nb.Title != "Bins" || nb.Level != app.LevelWarning || a.ID != h.number(na.ID) {
		t.Fatalf("alice %+v bob %+v answer %+v", na, nb, a)
	}
	if err := h.Inbox.MarkRead(ctx, alice.ID, na.ID); err != nil {
		t.Fatal(err)
	}
	if h.only(alice).ReadAt == nil || h.only(bob).ReadAt != nil {
		t.Error("reading alice's copy changed bob's")
	}

	carolApp, _ := h.app(carol, "household", app.ScopePublish)
	h.publish("/message?token="+carolApp, "application/json", `{"message":"carol's own"}`)
	if h.only(carol).Body != "carol's own" || len(h.inbox(alice)) != 1 || len(h.inbox(bob)) != 1 {
		t.Error("carol's message left her inbox")
	}

	// An admin's message goes to the route (and not to the admin, who is
	// not in it); the answer names the first recipient's copy.
	rootApp, _ := h.app(root, "household", app.ScopeAdmin)
	a = h.publish("/message?token="+rootApp, "application/json", `{"message":"from the admin"}`)
	if len(h.inbox(root)) != 0 || h.inbox(alice)[0].Body != "from the admin" || h.inbox(bob)[0].Body != "from the admin" ||
		a.ID != h.number(h.inbox(alice)[0].ID) {
		t.Errorf("admin's message: root %d alice %+v bob %+v answer %+v", len(h.inbox(root)), h.inbox(alice)[0], h.inbox(bob)[0], a)
	}
}

// TestIDs: message ids are the notifications' numbers, in publish order,
// never given twice even when the newest message was deleted; an appid is
// the same for every message of one application (the token's name) and
// differs between applications.
func TestIDs(t *testing.T) {
	h := newHarness(t)
	alice := h.User("alice", false)
	one, _ := h.app(alice, "one", app.ScopePublish)
	two, _ := h.app(alice, "two", app.ScopePublish)
	first := h.publish("/message?token="+one, "application/json", `{"message":"1"}`)
	second := h.publish("/message?token="+one, "application/json", `{"message":"2"}`)
	other := h.publish("/message?token="+two, "application/json", `{"message":"3"}`)
	if first.ID < 1 || second.ID != first.ID+1 || other.ID != second.ID+1 {
		t.Errorf("ids %d %d %d", first.ID, second.ID, other.ID)
	}
	if first.AppID != second.AppID || first.AppID == other.AppID || first.AppID != h.appID("one") || other.AppID != h.appID("two") {
		t.Errorf("appids %d %d %d", first.AppID, second.AppID, other.AppID)
	}
	if err := h.Inbox.Delete(context.Background(), alice.ID, h.inbox(alice)[0].ID); err != nil {
		t.Fatal(err)
	}
	if next := h.publish("/message?token="+one, "application/json", `{"message":"4"}`); next.ID != other.ID+1 {
		t.Errorf("after deleting the newest message: id %d, want %d", next.ID, other.ID+1)
	}
}

// TestNothingStored: when the publisher turned the type off in-app there
// is no notification; the message is still accepted, with id 0.
func TestNothingStored(t *testing.T) {
	h := newHarness(t)
	alice := h.User("alice", false)
	secret, _ := h.app(alice, "quiet", app.ScopePublish)
	if err := h.Preferences.UpdatePreferences(context.Background(), alice.ID, app.Preferences{app.MessageType: false}); err != nil {
		t.Fatal(err)
	}
	if a := h.publish("/message?token="+secret, "application/json", `{"message":"unseen"}`); a.ID != 0 || a.AppID < 1 || a.Date.IsZero() {
		t.Errorf("answer %+v", a)
	}
	if n := len(h.inbox(alice)); n != 0 {
		t.Errorf("%d notifications", n)
	}
}
