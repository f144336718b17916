package channels

import (
	"context"
	"sync"
	"time"

	"github.com/belfry/belfry/app/clock"
)

// receiver delivers each channel's events to this replica's sockets in
// sequence order, whichever replica wrote them.
//
// Every replica publishes the events it writes in sequence order (see
// sequencer), but with several replicas on one database (docs/cluster.md)
// the events of two writers reach a replica in either order, and an event
// committed by a replica that died before publishing it never arrives. So
// the sockets of a channel are fed here, under the channel's lock: an
// event above the next number waits (with the deliveries queued behind
// it) until the missing ones arrive or, after gapWait, are read from the
// store; one at or below a number already delivered is a duplicate and is
// dropped. A subscriber replays from the store and joins under the same
// lock, up to the last number delivered, so it never misses an event nor
// gets one twice.
//
// A channel gets its receiver when a socket of this replica first
// subscribes to it; until then its deliveries have no subscriber here.
type receiver struct {
	s *Service

	mu       sync.Mutex
	channels map[string]*inbound
}

// inbound is one channel's delivery order on this replica.
type inbound struct {
	id string

	mu      sync.Mutex
	next    int64      // the sequence number due next
	waiting []Delivery // arrived early, or queued behind one that did
	timer   clock.Timer
}

// gapWait is how long an event waits for a lower number before the
// missing numbers are read from the store.
const gapWait = 500 * time.Millisecond

func newReceiver(s *Service) *receiver { return &receiver{s: s, channels: map[string]*inbound{}} }

// channel returns the channel's receiver, reading where its sequence
// stands on first use.
func (r *receiver) channel(ctx context.Context, channelID string) (*inbound, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if in, ok := r.channels[channelID]; ok {
		return in, nil
	}
	last, err := r.s.lastSeq(ctx, channelID)
	if err != nil {
		return nil, err
	}
	in := &inbound{id: channelID, next: last + 1}
	r.channels[channelID] = in
	return in, nil
}

// find returns the channel's receiver, nil when no socket here subscribed
// to it yet.
func (r *receiver) find(channelID string) *inbound {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.channels[channelID]
}

// forget drops every receiver: after a gap of the bus, sockets resubscribe.
func (r *receiver) forget() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, in := range r.channels {
		in.mu.Lock()
		if in.timer != nil {
			in.timer.Stop()
		}
		in.mu.Unlock()
	}
	clear(r.channels)
}

// take delivers d in the channel's order.
func (r *receiver) take(in *inbound, d Delivery) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if d.Seq > 0 && d.Seq < in.next {
		return // delivered already (a duplicate, or read from the store)
	}
	in.waiting = append(in.waiting, d)
	r.drain(in)
}

// drain delivers what may go, in order: events numbered next, and the
// deliveries queued behind them. What is left waits for the gap timer.
// Callers hold in.mu.
func (r *receiver) drain(in *inbound) {
	for progress := true; progress; {
		progress = false
		blocked := false
		kept := in.waiting[:0]
		for _, d := range in.waiting {
			switch {
			case d.Seq > 0 && d.Seq < in.next:
				progress = true // filled from the store meanwhile
			case d.Seq == in.next || (d.Seq == 0 && !blocked):
				r.s.apply(d)
				if d.Seq > 0 {
					in.next++
				}
				progress = true
			default:
				blocked = true
				kept = append(kept, d)
			}
		}
		clear(in.waiting[len(kept):])
		in.waiting = kept
	}
	if len(in.waiting) == 0 {
		if in.timer != nil {
			in.timer.Stop()
			in.timer = nil
		}
		return
	}
	if in.timer == nil {
		in.timer = r.s.clock.AfterFunc(gapWait, func() { r.fill(in) })
	}
}

// fill reads the numbers still missing from the store, delivers them and
// then what waited for them.
func (r *receiver) fill(in *inbound) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.timer = nil
	upTo := int64(0) // the lowest number that waits
	for _, d := range in.waiting {
		if d.Seq > 0 && (upTo == 0 || d.Seq < upTo) {
			upTo = d.Seq
		}
	}
	if upTo == 0 {
		r.drain(in)
		return
	}
	ctx, cancel := context.WithTimeout(r.s.ctx, opTimeout)
	defer cancel()
	evs, err := r.s.store.ListChannelEvents(ctx, in.id, in.next-1, int(upTo-in.next))
	if err != nil {
		// Nothing is skipped: the events wait for the next try.
		r.s.log.Warn("channels: read events missing from the bus", "channel_id", in.id, "from", in.next, "to", upTo-1, "err", err)
		if r.s.ctx.Err() == nil {
			in.timer = r.s.clock.AfterFunc(gapWait, func() { r.fill(in) })
		}
		return
	}
	for _, ev := range evs {
		if ev.Seq >= in.next && ev.Seq < upTo {
			r.s.apply(Delivery{Stream: ChannelStream(ev.ChannelID), Frame: channelFrame(ev), Seq: ev.Seq})
		}
	}
	in.next = upTo // numbers the store does not have were never used
	r.drain(in)
}

// catchUp delivers the events the store has beyond those delivered, so
// that a subscriber joins at the channel's latest event even when the bus
// has not brought all of them yet (they are dropped as duplicates when
// they come). Callers hold in.mu.
func (r *receiver) catchUp(ctx context.Context, in *inbound) error {
	last, err := r.s.lastSeq(ctx, in.id)
	if err != nil {
		return err
	}
	for last >= in.next {
		evs, err := r.s.store.ListChannelEvents(ctx, in.id, in.next-1, int(min(last-in.next+1, catchUpPage)))
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			in.next = last + 1 // numbers the store does not have were never used
			break
		}
		for _, ev := range evs {
			if ev.Seq >= in.next {
				r.s.apply(Delivery{Stream: ChannelStream(ev.ChannelID), Frame: channelFrame(ev), Seq: ev.Seq})
				in.next = ev.Seq + 1
			}
		}
	}
	r.drain(in)
	return nil
}

// catchUpPage is how many events catchUp reads at a time.
const catchUpPage = 500
