package channels

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/coder/websocket"
	"github.com/google/uuid"
)

// TestSubscribe_Refused checks every refused subscription and bad frame:
// an error frame with a code and a message, and the socket stays open.
func TestChannelSubscribe_Refused(t *testing.T) {
	s := newServer(t)
	alice, bob, carol := s.user("alice"), s.user("bob"), s.user("carol")
	id := s.createChannel(alice, "general")
	s.join(carol, id)
	s.do("POST", "/api/channels/"+id+"/bans", alice.token, `{"user_id":"`+carol.ID+`","motive":"spam"}`).ok(t, http.StatusCreated, nil)
	stream := ChannelStream(id)
	bw, cw := s.dial(bob), s.dial(carol)

	for _, tc := range []struct {
		name, frame, code, message string
		c                          *client
	}{
		{"NotMember", `{"type":"subscribe","channel":"` + stream + `"}`, "FORBIDDEN", "You are not a member of this channel: join it before subscribing.", bw},
		{"Banned", `{"type":"subscribe","channel":"` + stream + `"}`, "FORBIDDEN", "You are banned from this channel.", cw},
		{"OtherUsersStream", `{"type":"subscribe","channel":"user:` + alice.ID + `"}`, "FORBIDDEN", "", bw},
		{"UnknownChannel", `{"type":"subscribe","channel":"channel:` + uuid.NewString() + `"}`, "NOT_FOUND", "Channel not found.", bw},
		{"BadName", `{"type":"subscribe","channel":"channel:general"}`, "INVALID_PARAMETER", "", bw},
		{"NoName", `{"type":"subscribe"}`, "INVALID_PARAMETER", "", bw},
		{"BadPrefix", `{"type":"subscribe","channel":"room:` + id + `"}`, "INVALID_PARAMETER", "", bw},
		{"BadUnsubscribe", `{"type":"unsubscribe","channel":"everything"}`, "INVALID_PARAMETER", "", bw},
		{"NotJSON", `subscribe me`, "INVALID_PARAMETER", "", bw},
		{"UnknownType", `{"type":"shout"}`, "INVALID_PARAMETER", "", bw},
		{"SinceType", `{"type":"subscribe","channel":"` + stream + `","since":"5"}`, "INVALID_PARAMETER", "", bw},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.c.refused(tc.frame, tc.code)
			if tc.message != "" && f.Message != tc.message {
				t.Fatalf("message %q, want %q", f.Message, tc.message)
			}
		})
	}
	// Nothing was subscribed: a post reaches neither socket.
	s.post(alice, id, "members only")
	bw.quiet()
	cw.quiet()
	if st := s.svc.Stats(); st.Subscriptions != 0 || st.Sockets != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// TestSubscribe_Streams checks the user and global streams and unsubscribe.
func TestChannelSubscribe_Streams(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	c := s.dial(alice)
	upper := "user:" + strings.ToUpper(alice.ID)
	if f := c.subscribe(UserStream(alice.ID)); f.Seq != 0 || strings.Contains(string(f.raw), "seq") {
		t.Fatalf("subscribed %s", f.raw)
	}
	c.send(`{"type":"subscribe","channel":"` + upper + `"}`) // ids in any case name the same stream
	c.expect("subscribed", UserStream(alice.ID))
	c.subscribe(GlobalStream)
	if st := s.svc.Stats(); st.Subscriptions != 2 {
		t.Fatalf("stats %+v, want 2 subscriptions", st)
	}
	c.send(`{"type":"unsubscribe","channel":"global"}`)
	if f := c.expect("unsubscribed", GlobalStream); f.Reason != reasonRequested {
		t.Fatalf("unsubscribed %s", f.raw)
	}
	s.createChannel(alice, "quiet")
	c.quiet()
	if st := s.svc.Stats(); st.Subscriptions != 1 {
		t.Fatalf("stats %+v, want 1 subscription", st)
	}
	c.Conn.CloseNow()
	// The registry counts the socket gone before its close handler drops
	// the subscriptions: wait for both.
	s.waitFor("the socket's subscriptions to go with it", func() bool {
		st := s.svc.Stats()
		return st.Sockets == 0 && st.Subscriptions == 0
	})
}

// TestHandshake checks authentication and the Origin rule of
// cookie-authenticated sockets.
func TestChannelHandshake(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	cookie := s.session(alice)
	dial := func(h http.Header) (*http.Response, error) {
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.base, "http")+Path, &websocket.DialOptions{HTTPHeader: h})
		if err == nil {
			conn.CloseNow()
		}
		return resp, err
	}
	for _, tc := range []struct {
		name   string
		header http.Header
		status int
	}{
		{"Anonymous", http.Header{}, http.StatusUnauthorized},
		{"CookieWithoutOrigin", http.Header{"Cookie": {"belfry_session=" + cookie}}, http.StatusForbidden},
		{"CookieForeignOrigin", http.Header{"Cookie": {"belfry_session=" + cookie}, "Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"PublishToken", http.Header{"Authorization": {"Bearer " + s.token(alice.User, app.ScopePublish)}}, http.StatusForbidden},
		{"CookieOwnOrigin", http.Header{"Cookie": {"belfry_session=" + cookie}, "Origin": {s.base}}, http.StatusSwitchingProtocols},
		{"Bearer", http.Header{"Authorization": {"Bearer " + alice.token}}, http.StatusSwitchingProtocols},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := dial(tc.header)
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (%v)", resp.StatusCode, tc.status, err)
			}
		})
	}
}

// TestClose checks graceful shutdown: every socket gets 1012 (service
// restart), and new handshakes are refused.
func TestChannelClose(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	c := s.dial(alice)
	c.subscribe(GlobalStream)
	if err := s.svc.Close(); err != nil {
		t.Fatal(err)
	}
	if code := c.closeStatus(); code != websocket.StatusServiceRestart {
		t.Fatalf("close code %d, want 1012", code)
	}
}

// TestInboundRate checks that a flood of frames is refused aloud, not
// served: past the burst, frames get RATE_LIMIT_EXCEEDED.
func TestChannelInboundRate(t *testing.T) {
	s := newServer(t)
	c := s.dial(s.user("alice"))
	const n = 300
	for range n {
		c.send(`{"type":"subscribe","channel":"global"}`)
	}
	limited := 0
	for range n {
		switch f := c.next(); {
		case f.Type == "error" && f.Code == "RATE_LIMIT_EXCEEDED" && f.Channel == GlobalStream:
			limited++
		case f.Type != "subscribed":
			t.Fatalf("got %s", f.raw)
		}
	}
	if limited == 0 {
		t.Fatalf("%d frames in a burst, none refused", n)
	}
}

// TestChannelRevoke checks that revoking a token closes the sockets opened
// with it, and only those, and that deleting a user closes all of theirs.
func TestChannelRevoke(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	secret, tok, err := s.auth.CreateToken(context.Background(), alice.ID, "second", app.ScopeClient)
	if err != nil {
		t.Fatal(err)
	}
	revoked := s.dialWith(http.Header{"Authorization": {"Bearer " + secret}})
	kept := s.dial(alice)
	kept.subscribe(GlobalStream)
	revoked.subscribe(GlobalStream)
	s.svc.Revoke(alice.ID, tok.ID)
	if code := revoked.closeStatus(); code != websocket.StatusPolicyViolation {
		t.Fatalf("close code %d, want 1008", code)
	}
	kept.quiet()
	s.svc.Revoke(alice.ID, "")
	if code := kept.closeStatus(); code != websocket.StatusPolicyViolation {
		t.Fatalf("close code %d, want 1008", code)
	}
}

// TestChannelOversizedFrameCloses1009 checks websocket.max_message_bytes: a
// client frame at the limit is read (and refused: it is not JSON), one byte
// more closes the socket with 1009, message too big.
func TestChannelOversizedFrameCloses1009(t *testing.T) {
	s := newServer(t)
	c := s.dial(s.user("alice"))
	c.refused(strings.Repeat("x", s.cfg.WebSocket.MaxMessageBytes), "INVALID_PARAMETER")
	c.send(strings.Repeat("x", s.cfg.WebSocket.MaxMessageBytes+1))
	if code := c.closeStatus(); code != websocket.StatusMessageTooBig {
		t.Fatalf("close code %d, want 1009", code)
	}
}

// TestChannelStreamNeverCoalesces: a channel stream keeps every event in
// order. A subscriber whose queue passes websocket.max_queued_bytes is
// dropped rather than sent part of the stream (it recovers with since);
// what it did receive is a gapless run of the channel's events, and the
// subscriber that keeps up gets them all.
func TestChannelStreamNeverCoalesces(t *testing.T) {
	s := newConfiguredServer(t, func(c *app.Config) {
		c.WebSocket.MaxQueuedBytes = 64 << 10
		c.WebSocket.WriteTimeout = app.Duration{Duration: time.Hour} // only the bound acts
	})
	alice, bob := s.user("alice"), s.user("bob")
	id := s.createChannel(alice, "general")
	s.join(bob, id)
	stream := ChannelStream(id)
	live := s.dial(alice)
	first := live.subscribe(stream).Seq + 1

	// Bob subscribes, then reads nothing, behind a small receive buffer.
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	stalled, _, err := websocket.Dial(ctx, s.base+Path, &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + bob.token}}, HTTPClient: apptest.SmallReceiveBuffer()})
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.CloseNow()
	if err := stalled.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe","channel":"`+stream+`"}`)); err != nil {
		t.Fatal(err)
	}
	s.waitFor("bob subscribed", func() bool { return s.svc.Stats().Subscriptions == 2 })

	content := strings.Repeat("z", app.MaxMessageContent)
	seq := first
	for ; s.svc.Stats().Dropped == 0; seq++ {
		if seq == first+2000 {
			t.Fatal("the stalled subscriber was never dropped")
		}
		s.post(alice, id, content)
		wantEvent(t, live, EventChannelMessage, stream, seq)
	}
	if st := s.svc.reg.Stats(); st.Coalesced != 0 || st.DroppedSlow != 1 {
		t.Fatalf("registry stats %+v, want one dropped and nothing coalesced", st)
	}

	c := &client{WS: apptest.Serve(t, stalled), t: t}
	c.expect("subscribed", stream)
	next := first
	for {
		msg, ok := c.NextWithin(guard)
		if !ok {
			break // the end of what reached it before the drop
		}
		var f frame
		if err := json.Unmarshal(msg, &f); err != nil || f.Type != EventChannelMessage || f.Seq != next {
			t.Fatalf("stalled subscriber got %s after seq %d: a gap or a foreign frame", msg, next-1)
		}
		next++
	}
	if next >= seq {
		t.Fatalf("the dropped subscriber received all %d events", seq-first)
	}
}
