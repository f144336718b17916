package channels

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var timestampPattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// wantEvent reads the next frame of c and checks the envelope: type, the
// subscription, the seq (0: none at all) and the timestamp's format.
func wantEvent(t *testing.T, c *client, typ, stream string, seq int64) frame {
	t.Helper()
	f := c.expect(typ, stream)
	if f.Seq != seq || (seq == 0 && strings.Contains(string(f.raw), `"seq"`)) {
		t.Fatalf("%s has seq %d, want %d: %s", typ, f.Seq, seq, f.raw)
	}
	if !timestampPattern.MatchString(f.Timestamp) {
		t.Fatalf("timestamp %q is not RFC 3339 UTC with milliseconds", f.Timestamp)
	}
	return f
}

// TestEvents walks every event type end to end: REST actions and socket
// frames in, the spec's envelope and data fields out, to real sockets.
func TestChannelEvents(t *testing.T) {
	s := newServer(t)
	alice, bob := s.user("alice"), s.user("bob")
	aw := s.dial(alice)
	aw.subscribe(GlobalStream)

	id := s.createChannel(alice, "general")
	stream := ChannelStream(id)
	f := wantEvent(t, aw, EventChannelCreated, GlobalStream, 0)
	wantData(t, f, map[string]any{"channel_id": id, "channel_name": "general"})

	if got := aw.subscribe(stream); got.Seq != 0 || !strings.Contains(string(got.raw), `"seq":0`) {
		t.Fatalf("subscribed %s, want seq 0", got.raw)
	}
	s.join(bob, id)
	f = wantEvent(t, aw, EventMemberJoined, stream, 1)
	wantData(t, f, map[string]any{"channel_id": id, "user_id": bob.ID, "username": "bob"})

	bw := s.dial(bob)
	if got := bw.subscribe(stream); got.Seq != 1 {
		t.Fatalf("subscribed %s, want seq 1", got.raw)
	}

	msgID := s.post(bob, id, "hello")
	for _, c := range []*client{aw, bw} {
		f = wantEvent(t, c, EventChannelMessage, stream, 2)
		wantData(t, f, map[string]any{"channel_id": id, "message_id": msgID, "user_id": bob.ID, "username": "bob", "content": "hello"})
	}

	var reply struct{ ID string }
	s.do("POST", "/api/channels/"+id+"/messages", alice.token, `{"content":"hi bob","parent_message_id":"`+msgID+`"}`).ok(t, http.StatusCreated, &reply)
	f = wantEvent(t, aw, EventMessageReply, stream, 3)
	wantData(t, f, map[string]any{"channel_id": id, "message_id": reply.ID, "parent_message_id": msgID,
		"user_id": alice.ID, "username": "alice", "content": "hi bob"})

	s.do("PATCH", "/api/channels/"+id+"/messages/"+msgID, bob.token, `{"content":"hello!"}`).ok(t, http.StatusOK, nil)
	f = wantEvent(t, aw, EventMessageUpdated, stream, 4)
	wantData(t, f, map[string]any{"channel_id": id, "message_id": msgID, "content": "hello!"})

	s.do("DELETE", "/api/channels/"+id+"/messages/"+msgID, alice.token, "").ok(t, http.StatusOK, nil)
	f = wantEvent(t, aw, EventMessageDeleted, stream, 5)
	wantData(t, f, map[string]any{"channel_id": id, "message_id": msgID})

	s.setRole(alice, bob, id, "moderator")
	f = wantEvent(t, aw, EventMemberRoleUpdated, stream, 6)
	wantData(t, f, map[string]any{"channel_id": id, "user_id": bob.ID, "username": "bob", "new_role": "moderator"})

	// channel_updated carries the fields that changed, and only those.
	s.do("PATCH", "/api/channels/"+id, alice.token, `{"name":"General","description":""}`).ok(t, http.StatusOK, nil)
	f = wantEvent(t, aw, EventChannelUpdated, stream, 7)
	wantData(t, f, map[string]any{"channel_id": id, "name": "General"})
	s.do("PATCH", "/api/channels/"+id, alice.token, `{"name":"General","description":"all things"}`).ok(t, http.StatusOK, nil)
	f = wantEvent(t, aw, EventChannelUpdated, stream, 8)
	wantData(t, f, map[string]any{"channel_id": id, "description": "all things"})

	bw.send(`{"type":"typing","channel_id":"` + id + `","is_typing":true}`)
	f = wantEvent(t, aw, EventUserTyping, stream, 0)
	wantData(t, f, map[string]any{"channel_id": id, "user_id": bob.ID, "username": "bob", "is_typing": true})

	// Bob's socket got the events above (seq 3 to 8), then his own typing.
	for seq := int64(3); seq <= 8; seq++ {
		if f := bw.next(); f.Seq != seq {
			t.Fatalf("bob got %s, want seq %d", f.raw, seq)
		}
	}
	wantEvent(t, bw, EventUserTyping, stream, 0)

	s.do("POST", "/api/channels/"+id+"/leave", bob.token, "").ok(t, http.StatusOK, nil)
	// Leaving ends bob's typing indicator, right after member_left.
	f = wantEvent(t, aw, EventMemberLeft, stream, 9)
	wantData(t, f, map[string]any{"channel_id": id, "user_id": bob.ID, "username": "bob"})
	f = wantEvent(t, aw, EventUserTyping, stream, 0)
	wantData(t, f, map[string]any{"channel_id": id, "user_id": bob.ID, "username": "bob", "is_typing": false})
	wantEvent(t, bw, EventMemberLeft, stream, 9)
	if f := bw.expect("unsubscribed", stream); f.Reason != reasonLeft {
		t.Fatalf("unsubscribed %s", f.raw)
	}

	s.do("DELETE", "/api/channels/"+id, alice.token, "").ok(t, http.StatusOK, nil)
	f = wantEvent(t, aw, EventChannelDeleted, stream, 10)
	wantData(t, f, map[string]any{"channel_id": id})
	if f := aw.expect("unsubscribed", stream); f.Reason != reasonDeleted {
		t.Fatalf("unsubscribed %s", f.raw)
	}
	aw.quiet()
	bw.quiet()
}
