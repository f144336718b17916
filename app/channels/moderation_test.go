package channels

import (
	"net/http"
	"testing"
)

// TestModeration_DualDelivery checks that kick, ban and unban reach both
// the channel's stream (with user_id) and the user's own stream (without
// it), and that kick and ban end the user's subscriptions to the channel
// once the event is delivered.
func TestChannelModeration_DualDelivery(t *testing.T) {
	s := newServer(t)
	alice, bob := s.user("alice"), s.user("bob")
	id := s.createChannel(alice, "general")
	stream, bobStream := ChannelStream(id), UserStream(bob.ID)
	s.join(bob, id)

	aw := s.dial(alice)
	aw.subscribe(stream)
	b1 := s.dial(bob) // on the channel and his own stream
	b1.subscribe(stream)
	b1.subscribe(bobStream)
	b2 := s.dial(bob) // on his own stream only
	b2.subscribe(bobStream)

	t.Run("Kick", func(t *testing.T) {
		s.do("POST", "/api/channels/"+id+"/kick", alice.token, `{"user_id":"`+bob.ID+`"}`).ok(t, http.StatusOK, nil)
		f := wantEvent(t, aw, EventUserKicked, stream, 2)
		wantData(t, f, map[string]any{"channel_id": id, "user_id": bob.ID})
		f = wantEvent(t, b1, EventUserKicked, stream, 2)
		wantData(t, f, map[string]any{"channel_id": id, "user_id": bob.ID})
		f = wantEvent(t, b1, EventUserKicked, bobStream, 0)
		wantData(t, f, map[string]any{"channel_id": id})
		if f := b1.expect("unsubscribed", stream); f.Reason != reasonKicked {
			t.Fatalf("unsubscribed %s", f.raw)
		}
		f = wantEvent(t, b2, EventUserKicked, bobStream, 0)
		wantData(t, f, map[string]any{"channel_id": id})

		s.post(alice, id, "after the kick")
		wantEvent(t, aw, EventChannelMessage, stream, 3)
		b1.quiet() // the kicked socket no longer hears the channel
		b2.quiet()
	})

	t.Run("Ban", func(t *testing.T) {
		s.join(bob, id) // a kick is not a ban
		wantEvent(t, aw, EventMemberJoined, stream, 4)
		b1.subscribe(stream)
		s.do("POST", "/api/channels/"+id+"/bans", alice.token, `{"user_id":"`+bob.ID+`","motive":"spam"}`).ok(t, http.StatusCreated, nil)
		f := wantEvent(t, aw, EventUserBanned, stream, 5)
		wantData(t, f, map[string]any{"channel_id": id, "user_id": bob.ID, "motive": "spam"})
		wantEvent(t, b1, EventUserBanned, stream, 5)
		f = wantEvent(t, b1, EventUserBanned, bobStream, 0)
		wantData(t, f, map[string]any{"channel_id": id, "motive": "spam"})
		if f := b1.expect("unsubscribed", stream); f.Reason != reasonBanned {
			t.Fatalf("unsubscribed %s", f.raw)
		}
		f = wantEvent(t, b2, EventUserBanned, bobStream, 0)
		wantData(t, f, map[string]any{"channel_id": id, "motive": "spam"})

		// Banned: cannot join, post, read or subscribe.
		s.do("POST", "/api/channels/"+id+"/join", bob.token, "").wantError(t, http.StatusForbidden, "FORBIDDEN")
		s.do("POST", "/api/channels/"+id+"/messages", bob.token, `{"content":"let me in"}`).wantError(t, http.StatusForbidden, "FORBIDDEN")
		s.do("GET", "/api/channels/"+id+"/messages", bob.token, "").wantError(t, http.StatusForbidden, "FORBIDDEN")
		f = b1.refused(`{"type":"subscribe","channel":"`+stream+`"}`, "FORBIDDEN")
		if f.Message != "You are banned from this channel." {
			t.Fatalf("refusal %s", f.raw)
		}
	})

	t.Run("Unban", func(t *testing.T) {
		s.do("DELETE", "/api/channels/"+id+"/bans/"+bob.ID, alice.token, `{"motive":"appeal granted"}`).ok(t, http.StatusOK, nil)
		f := wantEvent(t, aw, EventUserUnbanned, stream, 6)
		wantData(t, f, map[string]any{"channel_id": id, "user_id": bob.ID, "motive": "appeal granted"})
		for _, c := range []*client{b1, b2} {
			f = wantEvent(t, c, EventUserUnbanned, bobStream, 0)
			wantData(t, f, map[string]any{"channel_id": id, "motive": "appeal granted"})
		}
		s.join(bob, id)
		b1.subscribe(stream)
	})

	t.Run("UnbanWithoutBody", func(t *testing.T) {
		carol := s.user("carol")
		s.do("POST", "/api/channels/"+id+"/bans", alice.token, `{"user_id":"`+carol.ID+`","motive":"pre-emptive"}`).ok(t, http.StatusCreated, nil)
		s.do("DELETE", "/api/channels/"+id+"/bans/"+carol.ID, alice.token, "").ok(t, http.StatusOK, nil)
		wantEvent(t, aw, EventMemberJoined, stream, 7) // bob, above
		f := wantEvent(t, aw, EventUserBanned, stream, 8)
		wantData(t, f, map[string]any{"channel_id": id, "user_id": carol.ID, "motive": "pre-emptive"})
		f = wantEvent(t, aw, EventUserUnbanned, stream, 9)
		wantData(t, f, map[string]any{"channel_id": id, "user_id": carol.ID, "motive": ""})
	})
}

// TestChannelDeleted_UnsubscribesEveryone checks that every subscriber,
// whatever its user, gets channel_deleted and then is unsubscribed.
func TestChannelDeleted_UnsubscribesEveryone(t *testing.T) {
	s := newServer(t)
	alice, bob := s.user("alice"), s.user("bob")
	id := s.createChannel(alice, "doomed")
	keep := s.createChannel(alice, "kept")
	stream := ChannelStream(id)
	s.join(bob, id)
	s.join(bob, keep)
	var socks []*client
	for _, p := range []*person{alice, bob, bob} {
		c := s.dial(p)
		c.subscribe(stream)
		c.subscribe(ChannelStream(keep))
		socks = append(socks, c)
	}
	s.do("DELETE", "/api/channels/"+id, alice.token, "").ok(t, http.StatusOK, nil)
	for _, c := range socks {
		wantEvent(t, c, EventChannelDeleted, stream, 2)
		if f := c.expect("unsubscribed", stream); f.Reason != reasonDeleted {
			t.Fatalf("unsubscribed %s", f.raw)
		}
	}
	s.post(alice, keep, "still here") // the other subscription is untouched
	for _, c := range socks {
		wantEvent(t, c, EventChannelMessage, ChannelStream(keep), 2)
	}
	socks[1].refused(`{"type":"subscribe","channel":"`+stream+`"}`, "NOT_FOUND")
	if st := s.svc.Stats(); st.Sockets != 3 || st.Subscriptions != 3 {
		t.Fatalf("stats %+v, want 3 sockets with one subscription each", st)
	}
}

// TestKickRacesSubscribe runs a kick and the victim's subscribe at the same
// time, again and again: whichever wins, the kicked socket ends up outside
// the channel — refused, or subscribed and then unsubscribed.
func TestChannelKickRacesSubscribe(t *testing.T) {
	s := newServer(t)
	alice, bob := s.user("alice"), s.user("bob")
	id := s.createChannel(alice, "general")
	stream := ChannelStream(id)
	bw := s.dial(bob)
	for range 20 {
		s.join(bob, id)
		kicked := make(chan response)
		go func() { kicked <- s.do("POST", "/api/channels/"+id+"/kick", alice.token, `{"user_id":"`+bob.ID+`"}`) }()
		bw.send(`{"type":"subscribe","channel":"` + stream + `"}`)
		(<-kicked).ok(t, http.StatusOK, nil)
		switch f := bw.next(); f.Type {
		case "error":
			if f.Code != "FORBIDDEN" {
				t.Fatalf("refusal %s", f.raw)
			}
		case "subscribed":
			bw.expect(EventUserKicked, stream)
			if f := bw.expect("unsubscribed", stream); f.Reason != reasonKicked {
				t.Fatalf("unsubscribed %s", f.raw)
			}
		default:
			t.Fatalf("got %s", f.raw)
		}
		s.post(alice, id, "bob is out")
		bw.quiet()
	}
}
