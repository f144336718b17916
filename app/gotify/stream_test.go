package gotify_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/coder/websocket"
)

// dialStream opens /stream as the Android app does: the client token in
// ?token=, no Origin.
func (h *harness) dialStream(token string) *apptest.WS {
	h.t.Helper()
	return apptest.Dial(h.t, h.URL+"/stream?token="+token, nil)
}

// TestStream: each new notification of the user arrives on their stream
// as Gotify's message JSON, the same the publish answer and GET /message
// give; another user's stream sees none of it.
func TestStream(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.User("alice", false), h.User("bob", false)
	aliceStream := h.dialStream(h.Token(alice, app.ScopeClient))
	bobStream := apptest.Dial(t, h.URL+"/stream", http.Header{"X-Gotify-Key": {h.Token(bob, app.ScopeClient)}})

	secret, _ := h.app(alice, "backups", app.ScopePublish)
	a := h.publish("/message?token="+secret, "application/json",
		`{"title":"Backup","message":"done","priority":4,"extras":{"client::display":{"contentType":"text/markdown"}}}`)
	raw := aliceStream.Next()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	if want := []string{"appid", "date", "extras", "id", "message", "priority", "title"}; !slices.Equal(names, want) {
		t.Errorf("frame members %v, want %v: %s", names, want, raw)
	}
	var got answer
	if err := json.Unmarshal(raw, &got); err != nil || got.ID != a.ID || got.AppID != a.AppID || got.Title != "Backup" ||
		got.Message != "done" || got.Priority != 4 || !got.Date.Equal(a.Date) || got.Extras["client::display"] == nil {
		t.Errorf("frame %s, publish answer %+v", raw, a)
	}

	h.notify(alice, "", "Job failed", "exit 1")
	var native answer
	if err := json.Unmarshal(aliceStream.Next(), &native); err != nil || native.Title != "Job failed" || native.ID != a.ID+1 {
		t.Errorf("native event frame %+v, %v", native, err)
	}
	// Bob's first frame is his own notification: nothing of alice's came.
	if f, ok := bobStream.NextWithin(200 * time.Millisecond); ok {
		t.Fatalf("bob's stream got alice's %s", f)
	}
	h.notify(bob, "", "for bob", "")
	var bobs answer
	if err := json.Unmarshal(bobStream.Next(), &bobs); err != nil || bobs.Message != "for bob" {
		t.Errorf("bob's frame %+v, %v", bobs, err)
	}
	apptest.WantSamples(t, h.Metrics.Handler(), map[string]float64{`belfry_ws_sockets{endpoint="gotify"}`: 2})
	// A frame is counted once its write returned, which may be after the
	// client read it.
	apptest.WaitFor(t, "three frames counted", func() bool {
		return apptest.Sample(apptest.Scrape(t, h.Metrics.Handler()), `belfry_ws_frames_sent_total{endpoint="gotify"}`) == 3
	})
}

// TestStreamCloses: revoking the client token (as the app's logout does
// with DELETE /client/:id) or deleting the user closes the stream with
// 1008 within seconds; other streams stay.
func TestStreamCloses(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.User("alice", false), h.User("bob", false)
	var c gotifyClient
	rec := h.Do(http.MethodPost, "/client", `{"name":"phone"}`, servertest.Header("X-Gotify-Key", h.Token(alice, app.ScopeClient)))
	if err := json.Unmarshal(rec.Body.Bytes(), &c); err != nil || rec.Code != 200 {
		t.Fatalf("POST /client: %d %s", rec.Code, rec.Body)
	}
	phone, laptop := h.dialStream(c.Token), h.dialStream(h.Token(alice, app.ScopeClient))
	bobStream := h.dialStream(h.Token(bob, app.ScopeClient))

	if st, body := h.call(http.MethodDelete, fmt.Sprintf("/client/%d", c.ID), c.Token); st != 200 {
		t.Fatalf("DELETE /client: %d %s", st, body)
	}
	if code := phone.CloseStatus(); code != websocket.StatusPolicyViolation {
		t.Errorf("revoked client's stream closed with %d, want 1008", code)
	}
	h.notify(alice, "", "still here", "")
	if f := laptop.Next(); !strings.Contains(string(f), "still here") {
		t.Errorf("the other stream got %s", f)
	}
	if err := h.Auth.DeleteUser(t.Context(), alice.ID); err != nil {
		t.Fatal(err)
	}
	if code := laptop.CloseStatus(); code != websocket.StatusPolicyViolation {
		t.Errorf("deleted user's stream closed with %d, want 1008", code)
	}
	h.notify(bob, "", "bob stays", "")
	if f := bobStream.Next(); !strings.Contains(string(f), "bob stays") {
		t.Errorf("bob's stream got %s", f)
	}
}

// TestStreamRefusals: a handshake without a credential, with an unknown
// token or with a publish token is refused in Gotify's shape, never
// upgraded.
func TestStreamRefusals(t *testing.T) {
	h := newHarness(t)
	alice := h.User("alice", false)
	for name, tc := range map[string]struct {
		query  string
		status int
	}{
		"no credential": {"", http.StatusUnauthorized},
		"unknown token": {"?token=blf_nope", http.StatusUnauthorized},
		"publish token": {"?token=" + h.Token(alice, app.ScopePublish), http.StatusForbidden},
	} {
		conn, status, err := apptest.DialStatus(h.URL+"/stream"+tc.query, nil)
		if err == nil {
			_ = conn.CloseNow()
		}
		if status != tc.status {
			t.Errorf("%s: status %d (%v), want %d", name, status, err, tc.status)
		}
	}
}
