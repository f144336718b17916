package ntfy_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/coder/websocket"
)

// frame decodes the next frame of a /<topic>/ws socket.
func frame(t *testing.T, w *apptest.WS) answer {
	t.Helper()
	var a answer
	raw := w.Next()
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("frame %s: %v", raw, err)
	}
	return a
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

// TestSocketSubscription: /<topic>/ws sends the same events as the JSON
// stream, one text frame each: open, the backlog of since=, new messages,
// message_clear and message_delete.
func TestSocketSubscription(t *testing.T) {
	s := newSubscriber(t)
	w := apptest.Dial(t, s.a.URL+"/mytopic1,disk-alerts/ws?since="+s.ids[0], bearer(s.client))
	if open := frame(t, w); open.Event != "open" || open.Topic != "mytopic1,disk-alerts" {
		t.Fatalf("open %+v", open)
	}
	if m := frame(t, w); m.Event != "message" || m.Topic != "disk-alerts" || m.Message != "Disk full" || m.Priority != 4 {
		t.Errorf("backlog %+v", m)
	}
	a, _ := s.published(req{method: "POST", path: "/mytopic1", body: "live"})
	if m := frame(t, w); m.ID != a.ID || m.Message != "live" || m.Topic != "mytopic1" {
		t.Errorf("live %+v", m)
	}
	if err := s.a.Inbox.MarkRead(context.Background(), s.alice.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if m := frame(t, w); m.Event != "message_clear" || m.SequenceID != a.ID || m.Topic != "mytopic1" {
		t.Errorf("clear %+v", m)
	}
	if err := s.a.Inbox.Delete(context.Background(), s.alice.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if m := frame(t, w); m.Event != "message_delete" || m.SequenceID != a.ID {
		t.Errorf("delete %+v", m)
	}
}

// TestSocketAuth: the ntfy app's handshakes (a token or a password in the
// header or ?auth=, no Origin) open; a foreign Origin, no credentials, a
// publish token or a bad topic are refused before the upgrade; revoking
// the token closes the socket with 1008.
func TestSocketAuth(t *testing.T) {
	s := newSubscriber(t)
	password := base64.RawURLEncoding.EncodeToString([]byte("Basic " + base64.StdEncoding.EncodeToString([]byte("alice:"+apptest.Password))))
	for name, c := range map[string]struct {
		path   string
		header http.Header
	}{
		"token":             {"/mytopic1/ws", bearer(s.client)},
		"password ?auth=":   {"/mytopic1/ws?auth=" + password, nil},
		"token, own Origin": {"/mytopic1/ws", http.Header{"Authorization": {"Bearer " + s.client}, "Origin": {s.a.URL}}},
	} {
		w := apptest.Dial(t, s.a.URL+c.path, c.header)
		if open := frame(t, w); open.Event != "open" {
			t.Errorf("%s: %+v", name, open)
		}
	}
	for name, c := range map[string]struct {
		path   string
		header http.Header
		status int
	}{
		"foreign Origin": {"/mytopic1/ws", http.Header{"Authorization": {"Bearer " + s.client}, "Origin": {"https://evil.example"}}, 403},
		"no credentials": {"/mytopic1/ws", nil, 401},
		"publish token":  {"/mytopic1/ws", bearer(s.token), 403},
		"wrong password": {"/mytopic1/ws", http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("alice:nope"))}}, 401},
		"bad topic":      {"/bad.topic/ws", bearer(s.client), 400},
		"bad since":      {"/mytopic1/ws?since=yesterday", bearer(s.client), 400},
	} {
		conn, status, err := apptest.DialStatus(s.a.URL+c.path, c.header)
		if err == nil {
			conn.CloseNow()
		}
		if status != c.status {
			t.Errorf("%s: status %d (%v), want %d", name, status, err, c.status)
		}
	}
	s.refused(req{method: "GET", path: "/mytopic1/ws", noAuth: true, headers: []string{"Authorization: Bearer " + s.token}}, 403, 40301, "may not subscribe")

	other := s.a.Token(s.alice, app.ScopeClient)
	w := apptest.Dial(t, s.a.URL+"/mytopic1/ws", bearer(other))
	frame(t, w)
	_, tk, err := s.a.Auth.TokenUser(context.Background(), other)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.a.Auth.RevokeToken(context.Background(), "", tk.ID); err != nil {
		t.Fatal(err)
	}
	if code := w.CloseStatus(); code != websocket.StatusPolicyViolation {
		t.Errorf("revoked: close %d, want 1008", code)
	}
}
