package push

import (
	"context"
	"encoding/json"

	"github.com/belfry/belfry/app"
)

// clearQueue bounds the clear pushes waiting to be written; beyond it they
// are dropped (a read notification then stays on a lock screen) rather
// than blocking the bus.
const clearQueue = 1024

// Handle is the bus subscriber of "read once, cleared everywhere": a
// notification read, acknowledged or deleted (by any client: every change
// goes through the inbox, which publishes it) gets a small clear push to
// its user's devices that closes the matching system notification; read
// all and delete read clear them all. It never blocks: the writes happen
// on Clears' goroutine.
func (s *Service) Handle(c app.Change) {
	if !s.Enabled() {
		return
	}
	switch c.Kind {
	case app.ChangeRead, app.ChangeAcknowledged, app.ChangeDeleted, app.ChangeReadAll, app.ChangeDeletedRead:
	default:
		return
	}
	select {
	case s.clears <- c:
	default:
		s.d.Logger.Warn("push: clear dropped, queue full", "user_id", c.UserID)
	}
}

// runClears writes the clear pushes Handle queued until ctx ends.
func (s *Service) runClears(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case c := <-s.clears:
			if err := s.queueClear(ctx, c); err != nil && ctx.Err() == nil {
				s.d.Logger.Error("queue clear push", "user_id", c.UserID, "err", err)
			}
		}
	}
}

// queueClear writes the clear push of change c to its user's devices.
func (s *Service) queueClear(ctx context.Context, c app.Change) error {
	// Most users have no device: a read spares them a write.
	if subs, err := s.d.Store.ListSubscriptions(ctx, c.UserID); err != nil || len(subs) == 0 {
		return err
	}
	m := message{Kind: app.PushClear, ID: c.ID, Tag: tag(c.ID)}
	top := topic(c.ID)
	if c.ID == "" { // read all, delete read
		m.Tag, top = "", "belfry-clear-all"
	}
	payload, err := json.Marshal(m)
	if err != nil {
		return err
	}
	now := s.d.Clock.Now()
	n, err := s.d.Store.QueuePushes(ctx, []*app.Push{{UserID: c.UserID, NotificationID: c.ID, Kind: app.PushClear,
		Payload: payload, Urgency: "normal", Topic: top, TTL: s.d.Config.TTL.Duration, NextAttemptAt: now, CreatedAt: now}})
	if err == nil && n > 0 {
		s.kick.Kick()
	}
	return err
}
