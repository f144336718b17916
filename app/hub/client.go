package hub

import (
	"context"
	"encoding/json"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ws"
	"golang.org/x/time/rate"
)

// handleMessage serves one client frame, on the socket's own goroutine.
// Per the spec nothing is ever answered to a frame the hub cannot use — a
// malformed frame, an unknown type, a foreign or unknown id: it is ignored
// and the socket stays open. Oversized frames never get here: the reader
// closes the socket with 1009.
func (h *Hub) handleMessage(c *ws.Conn, msg []byte) {
	if !c.Data().(*socket).allow(h.clock.Now()) {
		return
	}
	var f clientFrame
	if err := json.Unmarshal(msg, &f); err != nil {
		return
	}
	switch f.Type {
	case "notification":
		h.markRead(c, f.NotificationID)
	case "object_notification":
		h.muteStatus(c, app.ObjectRef{AppLabel: f.AppLabel, ModelName: f.ModelName, ObjectID: f.ObjectID})
	}
}

// allow applies the per-socket rate of client frames.
func (s *socket) allow(now time.Time) bool {
	s.mu.Lock()
	if s.limiter == nil {
		s.limiter = rate.NewLimiter(inboundRate, inboundBurst)
	}
	l := s.limiter
	s.mu.Unlock()
	return l.AllowN(now, 1)
}

// markRead marks the user's notification id read. The answer is the normal
// push: the change goes out on the bus like any other.
func (h *Hub) markRead(c *ws.Conn, id string) {
	id, err := app.ParseID(id)
	if err != nil {
		return // not a UUID: no such notification
	}
	ctx, cancel := context.WithTimeout(h.ctx, opTimeout)
	defer cancel()
	if err := h.d.Inbox.MarkRead(ctx, c.UserID(), id); err != nil {
		if app.ErrorKind(err) != app.ENOTFOUND && h.ctx.Err() == nil {
			h.log.Error("websocket: mark notification read", "user_id", c.UserID(), "err", err)
		}
	}
}

// muteStatus answers an object_notification query when the user has an
// active mute of obj, and stays silent otherwise.
func (h *Hub) muteStatus(c *ws.Conn, obj app.ObjectRef) {
	if obj.Validate() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(h.ctx, opTimeout)
	defer cancel()
	m, err := h.d.Mutes.FindMute(ctx, c.UserID(), obj)
	if err != nil {
		if app.ErrorKind(err) != app.ENOTFOUND && h.ctx.Err() == nil {
			h.log.Error("websocket: find mute", "user_id", c.UserID(), "err", err)
		}
		return
	}
	c.Send(encodeMute(m))
}
