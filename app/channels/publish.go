package channels

import (
	"context"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ws"
)

// Reasons given when the server ends a subscription.
const (
	reasonRequested = "requested"
	reasonLeft      = "left"
	reasonKicked    = "kicked"
	reasonBanned    = "banned"
	reasonDeleted   = "channel_deleted"
)

// commit runs write, a store call that records ev in the channel's stream,
// and once it is durable publishes ev to the channel's subscribers in
// sequence order, followed by after (optional), which runs in the same
// turn: the events a moderation action sends to the user's own stream and
// its forced unsubscriptions follow the channel event and precede the
// channel's next event. A write that changed nothing publishes nothing.
func (s *Service) commit(ctx context.Context, channelID string, ev *app.ChannelEvent, write func() error, after func(st *stream)) error {
	st, err := s.seq.acquire(ctx, channelID)
	if err != nil {
		return err
	}
	var seq int64
	defer func() {
		s.seq.release(st, seq, func() {
			s.sendChannel(ev)
			if after != nil {
				after(st)
			}
		})
	}()
	if err := write(); err != nil {
		return err
	}
	seq = ev.Seq
	return nil
}

// Delivery is what the sockets of every replica do for one published
// step of a channel action: send Frame to Stream's subscribers, or, with
// Reason, end the subscriptions to Stream of User's sockets (everyone's
// when User is ""). The steps of one replica arrive in its publish order.
type Delivery struct {
	Stream string `json:"stream"`
	Frame  []byte `json:"frame,omitempty"`
	User   string `json:"user,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Seq is the sequence number of a channel event's Frame (0 for the
	// rest): the receiver of every replica delivers them in order.
	Seq int64 `json:"seq,omitempty"`
}

// deliver publishes d to the sockets of every replica (apply).
func (s *Service) deliver(d Delivery) { s.out.Publish(s.ctx, d) }

// receive takes d from the bus: a channel's deliveries go through its
// receiver, in sequence order; the rest, and those of a channel no socket
// here subscribed to, are applied at once.
func (s *Service) receive(d Delivery) {
	if id, ok := strings.CutPrefix(d.Stream, channelPrefix); ok {
		if in := s.recv.find(id); in != nil {
			s.recv.take(in, d)
			return
		}
	}
	s.apply(d)
}

// apply does d to this replica's sockets.
func (s *Service) apply(d Delivery) {
	if d.Reason == "" {
		n := s.reg.SendToSubscription(d.Stream, d.Frame)
		s.eventsSent.Add(uint64(n))
		return
	}
	conns := s.reg.SubscriptionConns(d.Stream)
	if d.User != "" {
		conns = s.reg.UserConns(d.User)
	}
	for _, c := range conns {
		s.endSubscription(c, d.Stream, d.Reason)
	}
}

// sendChannel queues a stored event to the channel's subscribers.
func (s *Service) sendChannel(ev *app.ChannelEvent) {
	s.deliver(Delivery{Stream: ChannelStream(ev.ChannelID), Frame: channelFrame(ev), Seq: ev.Seq})
}

// sendUser queues an event to the user's own stream.
func (s *Service) sendUser(userID, typ string, at time.Time, data any) {
	stream := UserStream(userID)
	s.deliver(Delivery{Stream: stream, Frame: eventFrame(typ, stream, 0, at, mustJSON(data))})
}

// sendGlobal queues an event to the global stream.
func (s *Service) sendGlobal(typ string, at time.Time, data any) {
	s.deliver(Delivery{Stream: GlobalStream, Frame: eventFrame(typ, GlobalStream, 0, at, mustJSON(data))})
}

// unsubscribeUser ends the subscription of every socket of userID to
// stream, each told why behind the frames already queued to it (so the
// event that caused it is delivered first).
func (s *Service) unsubscribeUser(userID, stream, reason string) {
	s.deliver(Delivery{Stream: stream, User: userID, Reason: reason})
}

// unsubscribeAll ends every socket's subscription to stream.
func (s *Service) unsubscribeAll(stream, reason string) {
	s.deliver(Delivery{Stream: stream, Reason: reason})
}

// endSubscription removes c from stream and tells it, if it was subscribed.
func (s *Service) endSubscription(c *ws.Conn, stream, reason string) {
	if s.removeSubscription(c, stream) {
		c.Send(unsubscribedFrame(stream, reason))
	}
}
