package channels

import (
	"testing"
	"time"
)

// TestTyping checks the typing indicator: published once, rate-limited
// while the user keeps typing, refreshed after TypingRefresh, ended by
// is_typing false, by a post, and by itself after TypingExpiry — all on a
// fake clock.
func TestChannelTyping(t *testing.T) {
	s := newServer(t)
	alice, bob := s.user("alice"), s.user("bob")
	id := s.createChannel(alice, "general")
	stream := ChannelStream(id)
	s.join(bob, id)
	aw := s.dial(alice)
	aw.subscribe(stream)
	bw := s.dial(bob)
	bw.subscribe(stream)
	aw.quiet() // bob joined before alice subscribed
	typing := func(on bool) {
		v := "false"
		if on {
			v = "true"
		}
		bw.send(`{"type":"typing","channel_id":"` + id + `","is_typing":` + v + `}`)
	}
	// wantTyping reads the indicator on both sockets: bob's own socket is
	// subscribed too, and hears it like everyone else.
	wantTyping := func(on bool) {
		t.Helper()
		for _, c := range []*client{aw, bw} {
			f := wantEvent(t, c, EventUserTyping, stream, 0)
			wantData(t, f, map[string]any{"channel_id": id, "user_id": bob.ID, "username": "bob", "is_typing": on})
		}
	}

	t.Run("RateLimited", func(t *testing.T) {
		typing(true)
		wantTyping(true)
		for range 5 {
			typing(true) // within TypingRefresh: not published again
		}
		// The round trip proves bob's frames were handled (in order) and
		// published nothing; a publication would have reached alice first.
		bw.quiet()
		aw.quiet()
		s.clock.Advance(TypingRefresh)
		typing(true)
		wantTyping(true)
	})
	t.Run("Stop", func(t *testing.T) {
		typing(false)
		wantTyping(false)
		typing(false) // not typing any more: nothing to publish
		bw.quiet()
		aw.quiet()
	})
	t.Run("Expiry", func(t *testing.T) {
		typing(true)
		wantTyping(true)
		s.clock.Advance(TypingRefresh - time.Millisecond)
		typing(true) // not published again, but it pushes the expiry back
		bw.quiet()
		s.clock.Advance(TypingExpiry - time.Millisecond)
		aw.quiet()
		s.clock.Advance(time.Millisecond)
		wantTyping(false)
		s.clock.Advance(time.Hour)
		aw.quiet()
		bw.quiet()
	})
	t.Run("PostEndsIt", func(t *testing.T) {
		typing(true)
		wantTyping(true)
		s.post(bob, id, "done typing")
		wantEvent(t, aw, EventChannelMessage, stream, 2)
		wantEvent(t, bw, EventChannelMessage, stream, 2)
		wantTyping(false)
		s.clock.Advance(time.Hour) // the expiry timer was stopped
		aw.quiet()
		bw.quiet()
	})
	t.Run("ErrNotSubscribed", func(t *testing.T) {
		other := s.createChannel(alice, "other")
		f := bw.refused(`{"type":"typing","channel_id":"`+other+`","is_typing":true}`, "FORBIDDEN")
		if f.Channel != ChannelStream(other) {
			t.Fatalf("refusal %s", f.raw)
		}
		bw.refused(`{"type":"typing","channel_id":"nope","is_typing":true}`, "INVALID_PARAMETER")
		bw.refused(`{"type":"typing","channel_id":"`+id+`"}`, "INVALID_PARAMETER")
		aw.quiet()
	})
}
