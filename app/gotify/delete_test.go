package gotify_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/server/servertest"
)

// TestDeleteRoundTrip: the inbox is the truth both ways. A message the
// Gotify app deletes is gone from the JSON API and every open tab's
// /ws/notification/ gets a frame; a notification deleted in the web
// inbox's API is gone from GET /message.
func TestDeleteRoundTrip(t *testing.T) {
	h := newHarness(t)
	alice := h.User("alice", false)
	web, gotify := h.Token(alice, app.ScopeClient), h.Token(alice, app.ScopeClient)
	tab := apptest.Dial(t, h.URL+"/ws/notification/", http.Header{"Authorization": {"Bearer " + web}})
	first, second := h.notify(alice, "", "first", ""), h.notify(alice, "", "second", "")
	tab.Next()
	tab.Next()

	// Gotify → web.
	if st, body := h.call(http.MethodDelete, fmt.Sprintf("/message/%d", h.number(first)), gotify); st != 200 {
		t.Fatalf("DELETE /message: %d %s", st, body)
	}
	if f := tab.Next(); !strings.Contains(string(f), "notification") {
		t.Errorf("tab frame after the Gotify delete: %s", f)
	}
	list := h.Do(http.MethodGet, "/api/notifications", "", servertest.Bearer(web))
	if list.Code != 200 || strings.Contains(list.Body.String(), first) || !strings.Contains(list.Body.String(), second) {
		t.Errorf("JSON API after the Gotify delete: %d %s", list.Code, list.Body)
	}
	st, body := h.call(http.MethodDelete, fmt.Sprintf("/message/%d", h.number(second)+100), gotify)
	wantError(t, "unknown message", st, body, http.StatusNotFound)

	// Web → Gotify.
	secondNumber := h.number(second)
	if rec := h.Do(http.MethodDelete, "/api/notifications/"+second, "", servertest.Bearer(web)); rec.Code/100 != 2 {
		t.Fatalf("JSON API delete: %d %s", rec.Code, rec.Body)
	}
	var p gotifyPage
	h.get("/message", gotify, &p)
	if len(p.Messages) != 0 {
		t.Errorf("GET /message after the web delete: %+v", p.Messages)
	}
	st, body = h.call(http.MethodDelete, fmt.Sprintf("/message/%d", secondNumber), gotify)
	wantError(t, "message deleted in the web inbox", st, body, http.StatusNotFound)
}

// TestDeleteAll: DELETE /message deletes every message of the caller
// through the inbox (each tab hears of each), and nobody else's; another
// user's message id is not found and stays; bad ids are 400.
func TestDeleteAll(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.User("alice", false), h.User("bob", false)
	token := h.Token(alice, app.ScopeClient)
	tab := apptest.Dial(t, h.URL+"/ws/notification/", http.Header{"Authorization": {"Bearer " + h.Token(alice, app.ScopeClient)}})
	h.notify(alice, "a", "one", "")
	h.notify(alice, "b", "two", "")
	bobs := h.notify(bob, "", "bob's", "")
	tab.Next()
	tab.Next()

	st, body := h.call(http.MethodDelete, fmt.Sprintf("/message/%d", h.number(bobs)), token)
	wantError(t, "another user's message", st, body, http.StatusNotFound)
	for _, id := range []string{"x", "0", "-3", "1.0"} {
		st, body := h.call(http.MethodDelete, "/message/"+id, token)
		wantError(t, "message id "+id, st, body, http.StatusBadRequest)
	}
	st, body = h.call(http.MethodDelete, "/message", "")
	wantError(t, "delete all without a credential", st, body, http.StatusUnauthorized)

	if st, body := h.call(http.MethodDelete, "/message", token); st != 200 {
		t.Fatalf("DELETE /message: %d %s", st, body)
	}
	tab.Next()
	tab.Next()
	if n := len(h.inbox(alice)); n != 0 {
		t.Errorf("alice has %d notifications left", n)
	}
	if n := len(h.inbox(bob)); n != 1 {
		t.Errorf("bob has %d notifications, want 1", n)
	}
}
