package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/coder/websocket"
)

// call sends one request with a bearer token and decodes a JSON answer.
func call(t *testing.T, method, url, token string, body any, want int) map[string]any {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, url, resp.StatusCode, want, raw)
	}
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return out
}

func readFrame(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, msg, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read frame: %v", err)
	}
	out := map[string]any{}
	if err := json.Unmarshal(msg, &out); err != nil {
		t.Fatalf("frame %s: %v", msg, err)
	}
	return out
}

// TestWiring checks that serve wires every capability together: one
// publish reaches the socket, the polling API and a webhook receiver, and
// channel events stream over /ws/channels/.
func TestWiring(t *testing.T) {
	var hooks atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("webhook-signature") != "" {
			hooks.Add(1)
		}
	}))
	defer receiver.Close()
	s := servertest.New(t)
	ws := "ws" + strings.TrimPrefix(s.URL, "http")
	publish := s.TokenFor("alice", false, app.ScopePublish)
	client := s.TokenFor("alice", false, app.ScopeClient)
	admin := s.TokenFor("admin", true, app.ScopeAdmin)
	ctx := context.Background()

	sock, _, err := websocket.Dial(ctx, ws+"/ws/notification/", &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + client}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sock.CloseNow()
	// The handshake's answer can reach the client just before the hub has
	// indexed the socket; a client reloads its list after connecting.
	apptest.WaitFor(t, "the socket to be indexed", func() bool { return s.Hub.Stats().Sockets == 1 })
	chans, _, err := websocket.Dial(ctx, ws+"/ws/channels/", &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + admin}}})
	if err != nil {
		t.Fatal(err)
	}
	defer chans.CloseNow()
	if err := chans.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe","channel":"global"}`)); err != nil {
		t.Fatal(err)
	}
	if f := readFrame(t, chans); f["type"] != "subscribed" {
		t.Fatalf("subscribe answer %v", f)
	}

	// Managing webhooks needs a session or an admin token, so the admin
	// forwards their own events.
	hook := call(t, "POST", s.URL+"/api/webhooks", admin, map[string]any{
		"kind": "generic", "url": receiver.URL, "events": []string{"job.failed"}}, http.StatusCreated)
	if hook["secret"] == nil {
		t.Fatalf("webhook create answer has no secret: %v", hook)
	}

	res := call(t, "POST", s.URL+"/api/v1/events", publish, map[string]any{"type": "job_failed", "title": "Backup failed"}, http.StatusAccepted)
	id := res["notifications"].([]any)[0].(map[string]any)["id"]
	f := readFrame(t, sock)
	if f["type"] != "notification" || f["notification_count"] != float64(1) || f["notification"].(map[string]any)["id"] != id {
		t.Fatalf("socket frame %v, want the new notification", f)
	}
	list := call(t, "GET", s.URL+"/api/v1/client/notifications", client, nil, http.StatusOK)
	if n := list["notifications"].([]any); len(n) != 1 || n[0].(map[string]any)["id"] != id {
		t.Fatalf("polling list %v", list)
	}

	call(t, "POST", s.URL+"/api/v1/events", admin, map[string]any{"type": "job_failed", "title": "Disk failing"}, http.StatusAccepted)
	deadline := time.Now().Add(10 * time.Second)
	for hooks.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if hooks.Load() == 0 {
		t.Fatal("the webhook receiver got no signed delivery")
	}

	call(t, "POST", s.URL+"/api/channels", admin, map[string]any{"name": "homelab"}, http.StatusCreated)
	if f := readFrame(t, chans); f["type"] != "channel_created" {
		t.Fatalf("global stream frame %v, want channel_created", f)
	}
}
