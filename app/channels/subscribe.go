package channels

import (
	"context"
	"fmt"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ws"
)

// Recovery: a client that lost its socket subscribes again with "since",
// the seq of the last channel event it saw, and gets the events it missed
// replayed from the store before the live ones, without gap or duplicate.
// A connection replays at most replayBudget events in all; past that, or
// when the events are no longer stored, the subscription still starts but
// the client is told RECOVERY_FAILED and reloads the channel over REST.

// replayBudget bounds the events replayed on one connection. Replayed frames
// do not count against websocket.max_queued_bytes (ws.Conn.Replay), so a
// replay never makes a healthy client look slow.
const replayBudget = 500

// CodeRecoveryFailed is the error code of a subscription whose missed
// events cannot be replayed.
const CodeRecoveryFailed = "RECOVERY_FAILED"

func (s *Service) subscribe(c *ws.Conn, sock *socket, f clientFrame) {
	kind, id, stream, err := parseStream(f.Channel)
	if err != nil {
		c.Send(errorFrame(f.Channel, err))
		return
	}
	switch {
	case kind == "channel":
		s.subscribeChannel(c, sock, id, f.Since)
		return
	case kind == "user" && id != sock.user.ID:
		c.Send(errorFrame(stream, app.Errorf(app.EFORBIDDEN, "You may only subscribe to your own user stream, %s.", UserStream(sock.user.ID))))
		return
	}
	if _, err := s.addSubscription(c, stream); err != nil {
		c.Send(errorFrame(stream, err))
		return
	}
	c.Send(subscribedFrame(stream, nil))
}

func (s *Service) unsubscribe(c *ws.Conn, f clientFrame) {
	_, _, stream, err := parseStream(f.Channel)
	if err != nil {
		c.Send(errorFrame(f.Channel, err))
		return
	}
	s.removeSubscription(c, stream)
	c.Send(unsubscribedFrame(stream, reasonRequested))
}

// subscribeChannel subscribes c to a channel's stream, for members only,
// replaying the events after since when it is set.
func (s *Service) subscribeChannel(c *ws.Conn, sock *socket, channelID string, since *int64) {
	stream := ChannelStream(channelID)
	ctx, cancel := context.WithTimeout(s.ctx, opTimeout)
	defer cancel()
	fail := func(err error) {
		if app.ErrorKind(err) == app.EINTERNAL {
			s.log.Error("channels: subscribe", "user_id", sock.user.ID, "channel_id", channelID, "err", err)
		}
		c.Send(errorFrame(stream, err))
	}
	if since != nil && *since < 0 {
		fail(app.Errorf(app.EINVALID, "since must be the seq of the last event seen: 0 or more."))
		return
	}
	if err := s.maySubscribe(ctx, channelID, sock.user.ID); err != nil {
		fail(err)
		return
	}
	// The bulk of a replay is read before taking the stream's lock, which
	// holds up the channel's publications.
	var early []*app.ChannelEvent
	if since != nil {
		var err error
		if early, err = s.store.ListChannelEvents(ctx, channelID, *since, replayBudget+1); err != nil {
			fail(err)
			return
		}
	}
	in, err := s.recv.channel(ctx, channelID)
	if err != nil {
		fail(err)
		return
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if err := s.recv.catchUp(ctx, in); err != nil {
		fail(err)
		return
	}
	// Checked again now that no event of the channel can reach this
	// replica's sockets, and after catching up with the store: a kick or
	// ban whose event was caught up has committed its membership too, and
	// is seen here; one that commits later has its event numbered after
	// last, so it reaches this socket and then unsubscribes it.
	if _, err := s.store.FindMember(ctx, channelID, sock.user.ID); err != nil {
		if app.ErrorKind(err) == app.ENOTFOUND {
			if why := s.maySubscribe(ctx, channelID, sock.user.ID); why != nil {
				err = why // banned, or the channel is gone
			}
		}
		fail(err)
		return
	}
	last := in.next - 1
	added, err := s.addSubscription(c, stream)
	if err != nil {
		fail(err)
		return
	}
	c.Send(subscribedFrame(stream, &last))
	if !added || since == nil {
		return // already live on this socket: nothing was missed
	}
	replay, err := s.replay(ctx, sock, channelID, *since, last, early)
	if err != nil {
		fail(err)
		return
	}
	for _, ev := range replay {
		c.Replay(channelFrame(ev))
	}
	s.eventsSent.Add(uint64(len(replay)))
}

// maySubscribe returns nil when userID may subscribe to the channel, or
// the error that explains why not: ENOTFOUND, or EFORBIDDEN for a banned
// user and for a non-member.
func (s *Service) maySubscribe(ctx context.Context, channelID, userID string) error {
	_, err := s.store.FindMember(ctx, channelID, userID)
	if app.ErrorKind(err) != app.ENOTFOUND {
		return err
	}
	if _, err := s.store.FindChannel(ctx, channelID); err != nil {
		return err
	}
	if _, err := s.store.FindBan(ctx, channelID, userID); err == nil {
		return app.Errorf(app.EFORBIDDEN, "You are banned from this channel.")
	}
	return app.Errorf(app.EFORBIDDEN, "You are not a member of this channel: join it before subscribing.")
}

// replay returns the events numbered since+1 to last, from early (read
// before the lock) completed from the store, or a RECOVERY_FAILED error
// when they are not all available or exceed the socket's budget. Callers
// hold the channel's receiver lock, so last is the latest delivered event.
func (s *Service) replay(ctx context.Context, sock *socket, channelID string, since, last int64, early []*app.ChannelEvent) ([]*app.ChannelEvent, error) {
	if since > last {
		return nil, recoveryFailed(fmt.Sprintf("since %d is after the channel's latest event, %d", since, last))
	}
	missed := int(last - since)
	// A socket's frames are handled one at a time: nothing else spends
	// its budget meanwhile.
	sock.mu.Lock()
	budget := replayBudget - sock.replayed
	sock.mu.Unlock()
	if missed > budget {
		return nil, recoveryFailed(fmt.Sprintf("%d were missed, more than this connection can replay", missed))
	}
	// early may hold events committed but not yet published: they go out
	// live once the lock is released.
	events := make([]*app.ChannelEvent, 0, missed)
	for _, ev := range early {
		if ev.Seq <= last {
			events = append(events, ev)
		}
	}
	after := since
	if len(events) > 0 {
		after = events[len(events)-1].Seq
	}
	if after < last {
		more, err := s.store.ListChannelEvents(ctx, channelID, after, int(last-after))
		if err != nil {
			return nil, err
		}
		events = append(events, more...)
	}
	for i, ev := range events {
		if ev.Seq != since+1+int64(i) {
			return nil, recoveryFailed(fmt.Sprintf("those after %d are no longer stored", since))
		}
	}
	if len(events) != missed {
		return nil, recoveryFailed(fmt.Sprintf("those after %d are no longer stored", since))
	}
	sock.mu.Lock()
	sock.replayed += missed
	sock.mu.Unlock()
	return events, nil
}

// recoveryFailed is the RECOVERY_FAILED error, saying why.
func recoveryFailed(why string) error {
	return app.CodedErrorf(app.EINVALID, CodeRecoveryFailed, "Missed events cannot be replayed (%s): reload the channel's messages.", why)
}
