package channels

import (
	"context"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/google/uuid"
)

// elsewhere writes n messages to the channel's store the way another
// replica would, without publishing them here, and returns their events.
func (s *server) elsewhere(p *person, channelID string, n int) []*app.ChannelEvent {
	s.t.Helper()
	evs := make([]*app.ChannelEvent, n)
	for i := range evs {
		m := &app.Message{ID: uuid.NewString(), ChannelID: channelID, UserID: p.ID, Content: "elsewhere"}
		ev := newEvent(channelID, EventChannelMessage, messageData{ChannelID: channelID, MessageID: m.ID, UserID: p.ID, Content: m.Content})
		ev.MessageID = m.ID
		if err := s.store.CreateMessage(context.Background(), m, app.ChannelWrite{ActorID: p.ID, Check: allow(app.ActionPostMessage), Event: ev}); err != nil {
			s.t.Fatal(err)
		}
		evs[i] = ev
	}
	return evs
}

// arrive hands ev to the service as the bus would.
func (s *server) arrive(ev *app.ChannelEvent) {
	s.svc.receive(Delivery{Stream: ChannelStream(ev.ChannelID), Frame: channelFrame(ev), Seq: ev.Seq})
}

// TestChannelReceiverOrder checks that the events other replicas wrote
// reach a socket in sequence order whatever order the bus brings them in,
// once each, and that one the bus never brings is read from the store
// after gapWait.
func TestChannelReceiverOrder(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	id := s.createChannel(alice, "ops")
	c := s.dial(alice)
	last := c.subscribe(ChannelStream(id)).Seq
	evs := s.elsewhere(alice, id, 4)
	if evs[0].Seq != last+1 || evs[3].Seq != last+4 {
		t.Fatalf("events numbered %d…%d after %d", evs[0].Seq, evs[3].Seq, last)
	}
	want := func(seq int64) {
		t.Helper()
		if f := c.expect(EventChannelMessage, ChannelStream(id)); f.Seq != seq {
			t.Fatalf("got seq %d, want %d: %s", f.Seq, seq, f.raw)
		}
	}

	s.arrive(evs[1])
	c.quiet() // the second waits for the first
	s.arrive(evs[0])
	want(evs[0].Seq)
	want(evs[1].Seq)

	s.arrive(evs[3]) // the third never comes over the bus
	c.quiet()
	s.clock.Advance(gapWait)
	want(evs[2].Seq)
	want(evs[3].Seq)

	s.arrive(evs[2]) // late, and again: duplicates
	s.arrive(evs[0])
	c.quiet()

	// A message posted here follows them.
	s.post(alice, id, "here")
	want(evs[3].Seq + 1)
}

// TestChannelReceiverJoin checks that a socket subscribing while the bus
// has not brought another replica's latest events starts after them: it
// gets them in its replay, not later as live frames.
func TestChannelReceiverJoin(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	id := s.createChannel(alice, "ops")
	early := s.dial(alice)
	since := early.subscribe(ChannelStream(id)).Seq
	evs := s.elsewhere(alice, id, 2)

	c := s.dial(alice)
	if got := c.subscribeSince(ChannelStream(id), since).Seq; got != evs[1].Seq {
		t.Fatalf("subscribed at %d, want %d", got, evs[1].Seq)
	}
	for _, ev := range evs {
		if f := c.expect(EventChannelMessage, ChannelStream(id)); f.Seq != ev.Seq {
			t.Fatalf("replayed %s, want seq %d", f.raw, ev.Seq)
		}
	}
	s.arrive(evs[0]) // the bus brings them now: nothing more
	s.arrive(evs[1])
	c.quiet()
	// The socket subscribed before got them as live events, once.
	for _, ev := range evs {
		if f := early.expect(EventChannelMessage, ChannelStream(id)); f.Seq != ev.Seq {
			t.Fatalf("live %s, want seq %d", f.raw, ev.Seq)
		}
	}
	early.quiet()
}
