package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// publishRequest is an event with, optionally, when it should appear:
// deliver_at (RFC 3339) or delay (a duration such as "30m", or seconds as
// a number or a string), not both.
type publishRequest struct {
	app.Event
	DeliverAt *string         `json:"deliver_at"`
	Delay     json.RawMessage `json:"delay"`
}

// handlePublish is POST /api/v1/events: it hands the event to the
// dispatcher and answers 202 with the notifications created and the number
// of webhook deliveries queued; an event for later is kept by the
// scheduler instead, and the answer says so (scheduled: its id and time).
func (s *Server) handlePublish(c *gin.Context) {
	var req publishRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		web.WriteError(c, err)
		return
	}
	ev := &req.Event
	at, later, err := s.deliveryTime(&req)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	if later {
		e, err := s.d.Scheduler.Schedule(c.Request.Context(), web.UserFrom(c), false, ev, at)
		if err != nil {
			web.WriteError(c, err)
			return
		}
		c.JSON(http.StatusAccepted, gin.H{"notifications": []app.NotificationRef{}, "webhooks": 0,
			"scheduled": gin.H{"id": e.ID, "deliver_at": e.DeliverAt, "created_at": e.CreatedAt}})
		return
	}
	res, err := s.d.Dispatcher.Notify(c.Request.Context(), web.UserFrom(c), ev)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	refs := res.Notifications
	if refs == nil {
		refs = []app.NotificationRef{}
	}
	c.JSON(http.StatusAccepted, app.DispatchResult{Notifications: refs, Webhooks: res.Webhooks})
}

// deliveryTime reads deliver_at or delay; later is false when neither is
// given (or delay is null).
func (s *Server) deliveryTime(req *publishRequest) (at time.Time, later bool, err error) {
	delay := bytes.TrimSpace(req.Delay)
	hasDelay := len(delay) > 0 && string(delay) != "null"
	if req.DeliverAt != nil && hasDelay {
		return at, false, app.CodedErrorf(app.EINVALID, app.CodeScheduleInvalid, "Give deliver_at or delay, not both.")
	}
	if s.d.Scheduler == nil && (req.DeliverAt != nil || hasDelay) {
		return at, false, app.CodedErrorf(app.EINVALID, app.CodeScheduleInvalid, "Scheduled delivery is not available here.")
	}
	now := s.d.Clock.Now()
	switch {
	case req.DeliverAt != nil:
		t, perr := time.Parse(time.RFC3339, strings.TrimSpace(*req.DeliverAt))
		if perr != nil {
			return at, false, app.CodedErrorf(app.EINVALID, app.CodeScheduleInvalid,
				"Field deliver_at must be an RFC 3339 time such as \"2026-03-01T18:30:00Z\", not %q.", web.Clip(*req.DeliverAt, 64))
		}
		return t, true, nil
	case hasDelay:
		var text string
		if delay[0] == '"' {
			if json.Unmarshal(delay, &text) != nil {
				return at, false, app.CodedErrorf(app.EINVALID, app.CodeScheduleInvalid, "Field delay must be a string or a number.")
			}
		} else {
			text = string(delay)
		}
		d, derr := app.ParseDelay(text)
		if derr != nil {
			return at, false, derr
		}
		return now.Add(d), true, nil
	}
	return at, false, nil
}
