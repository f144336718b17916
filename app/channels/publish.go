package channels

import (
	"context"
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

// sendChannel queues a stored event to the channel's subscribers.
func (s *Service) sendChannel(ev *app.ChannelEvent) {
	n := s.reg.SendToSubscription(ChannelStream(ev.ChannelID), channelFrame(ev))
	s.eventsSent.Add(uint64(n))
}

// sendUser queues an event to the user's own stream.
func (s *Service) sendUser(userID, typ string, at time.Time, data any) {
	stream := UserStream(userID)
	n := s.reg.SendToSubscription(stream, eventFrame(typ, stream, 0, at, mustJSON(data)))
	s.eventsSent.Add(uint64(n))
}

// sendGlobal queues an event to the global stream.
func (s *Service) sendGlobal(typ string, at time.Time, data any) {
	n := s.reg.SendToSubscription(GlobalStream, eventFrame(typ, GlobalStream, 0, at, mustJSON(data)))
	s.eventsSent.Add(uint64(n))
}

// unsubscribeUser ends the subscription of every socket of userID to
// stream, each told why behind the frames already queued to it (so the
// event that caused it is delivered first).
func (s *Service) unsubscribeUser(userID, stream, reason string) {
	for _, c := range s.reg.UserConns(userID) {
		s.endSubscription(c, stream, reason)
	}
}

// unsubscribeAll ends every socket's subscription to stream.
func (s *Service) unsubscribeAll(stream, reason string) {
	for _, c := range s.reg.SubscriptionConns(stream) {
		s.endSubscription(c, stream, reason)
	}
}

// endSubscription removes c from stream and tells it, if it was subscribed.
func (s *Service) endSubscription(c *ws.Conn, stream, reason string) {
	if s.removeSubscription(c, stream) {
		c.Send(unsubscribedFrame(stream, reason))
	}
}
