package channels

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// TestRecovery checks that a client which lost its socket and subscribes
// again with since gets exactly the frames it missed — byte for byte the
// live ones — and then the live stream, without gap or duplicate.
func TestChannelRecovery(t *testing.T) {
	s := newServer(t)
	alice, bob, carol := s.user("alice"), s.user("bob"), s.user("carol")
	id := s.createChannel(alice, "general")
	stream := ChannelStream(id)
	s.join(bob, id)

	aw := s.dial(alice) // stays connected throughout: the reference
	aw.subscribe(stream)
	bw := s.dial(bob)
	bw.subscribe(stream)
	s.post(alice, id, "before")
	seen := wantEvent(t, bw, EventChannelMessage, stream, 2).Seq
	wantEvent(t, aw, EventChannelMessage, stream, 2)
	bw.Conn.CloseNow()

	// Missed while away: posts, an edit, a join.
	m2 := s.post(alice, id, "while away 1")
	s.post(alice, id, "while away 2")
	s.do("PATCH", "/api/channels/"+id+"/messages/"+m2, alice.token, `{"content":"edited"}`).ok(t, http.StatusOK, nil)
	s.join(carol, id)
	var live [][]byte
	for seq := int64(3); seq <= 6; seq++ {
		f := aw.next()
		if f.Seq != seq {
			t.Fatalf("alice got %s, want seq %d", f.raw, seq)
		}
		live = append(live, f.raw)
	}

	bw = s.dial(bob)
	if f := bw.subscribeSince(stream, seen); f.Seq != 6 {
		t.Fatalf("subscribed %s, want seq 6", f.raw)
	}
	for i, want := range live {
		if got := bw.next().raw; string(got) != string(want) {
			t.Fatalf("replayed frame %d:\n%s\nwant the live one:\n%s", i, got, want)
		}
	}
	s.post(alice, id, "back")
	wantEvent(t, bw, EventChannelMessage, stream, 7)
	bw.quiet()

	t.Run("DeletedTextNotReplayed", func(t *testing.T) {
		bw.Conn.CloseNow()
		secret := s.post(alice, id, "oops, a password")
		s.do("DELETE", "/api/channels/"+id+"/messages/"+secret, alice.token, "").ok(t, http.StatusOK, nil)
		bw = s.dial(bob)
		bw.subscribeSince(stream, 7)
		f := wantEvent(t, bw, EventChannelMessage, stream, 8)
		wantData(t, f, map[string]any{"channel_id": id, "message_id": secret, "user_id": alice.ID, "username": "alice", "content": ""})
		wantEvent(t, bw, EventMessageDeleted, stream, 9)
		bw.quiet()
	})
	t.Run("NothingMissed", func(t *testing.T) {
		c := s.dial(bob)
		c.subscribeSince(stream, 9)
		c.quiet()
	})
	t.Run("SinceAhead", func(t *testing.T) {
		c := s.dial(bob)
		c.subscribeSince(stream, 99)
		if f := c.expect("error", stream); f.Code != CodeRecoveryFailed {
			t.Fatalf("got %s", f.raw)
		}
		s.post(alice, id, "live anyway") // the subscription stands
		wantEvent(t, c, EventChannelMessage, stream, 10)
	})
	t.Run("ErrNegativeSince", func(t *testing.T) {
		s.dial(bob).refused(`{"type":"subscribe","channel":"`+stream+`","since":-1}`, "INVALID_PARAMETER")
	})
}

// postMany stores n messages of p through the service, concurrently.
func postMany(t *testing.T, s *server, p *person, channelID string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				if _, err := s.svc.Post(context.Background(), p.User, channelID, fmt.Sprint("m", i), ""); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestRecovery_Bounded checks that a replay is bounded: more than
// replayBudget missed events on one channel, or in total on one connection,
// are not replayed; the client is told RECOVERY_FAILED and stays
// subscribed.
func TestChannelRecovery_Bounded(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	busy, other := s.createChannel(alice, "busy"), s.createChannel(alice, "other")
	postMany(t, s, alice, busy, replayBudget+1)
	postMany(t, s, alice, other, 200)

	c := s.dial(alice)
	c.subscribeSince(ChannelStream(busy), 0)
	if f := c.expect("error", ChannelStream(busy)); f.Code != CodeRecoveryFailed {
		t.Fatalf("got %s", f.raw)
	}
	c.quiet()

	c = s.dial(alice)
	c.subscribeSince(ChannelStream(busy), 101) // 400 missed: replayed
	for seq := int64(102); seq <= replayBudget+1; seq++ {
		if f := c.next(); f.Seq != seq || f.Type != EventChannelMessage {
			t.Fatalf("got %s, want seq %d", f.raw, seq)
		}
	}
	c.subscribeSince(ChannelStream(other), 0) // 200 more: past the connection's budget
	if f := c.expect("error", ChannelStream(other)); f.Code != CodeRecoveryFailed {
		t.Fatalf("got %s", f.raw)
	}
	if st := s.svc.Stats(); st.Dropped != 0 {
		t.Fatalf("a replay dropped a socket: %+v", st)
	}
}

// TestChannelOrder checks that concurrent writers to one channel, whose
// writes share group commits, are published in sequence order with no
// gap: every subscriber sees 1, 2, 3, ….
func TestChannelOrder(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	id := s.createChannel(alice, "busy")
	var socks []*client
	for range 3 {
		c := s.dial(alice)
		c.subscribe(ChannelStream(id))
		socks = append(socks, c)
	}
	const n = 300
	postMany(t, s, alice, id, n)
	for _, c := range socks {
		for seq := int64(1); seq <= n; seq++ {
			if f := c.next(); f.Seq != seq {
				t.Fatalf("got seq %d, want %d", f.Seq, seq)
			}
		}
	}
	if ch, err := s.store.FindChannel(context.Background(), id); err != nil || ch.LastSeq != n {
		t.Fatalf("channel %+v, %v", ch, err)
	}
}
