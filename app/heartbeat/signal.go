package heartbeat

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/belfry/belfry/app"
)

// Signal applies one ping (p.Kind success, start, fail or log) to the
// check of key and returns the check. Errors: ENOTFOUND for an unknown key.
func (s *Service) Signal(ctx context.Context, key string, p app.HeartbeatPing) (*app.Heartbeat, error) {
	if !validKey(key) {
		return nil, errNoCheck
	}
	found, err := s.d.Store.FindHeartbeatByKey(ctx, key)
	if err != nil {
		return nil, notFound(err)
	}
	unlock, err := s.lock(ctx, found.ID)
	if err != nil {
		return nil, err
	}
	defer unlock()
	h, err := s.d.Store.FindHeartbeat(ctx, found.UserID, found.ID)
	if err != nil || h.Key != key {
		return nil, errNoCheck // deleted, or its key rotated, meanwhile
	}
	p.At = s.now()
	if err := s.apply(ctx, h, &p); err != nil {
		return nil, err
	}
	s.pings.Add(1)
	return h, nil
}

var errNoCheck = app.Errorf(app.ENOTFOUND, "There is no check with this ping key.")

func notFound(err error) error {
	if app.ErrorKind(err) == app.ENOTFOUND {
		return errNoCheck
	}
	return err
}

// apply moves h by the ping p, raises what the move calls for and saves h
// with p in its log. The caller holds h's lock.
func (s *Service) apply(ctx context.Context, h *app.Heartbeat, p *app.HeartbeatPing) error {
	now := p.At
	prev := h.State
	h.UpdatedAt = now
	if p.Kind != app.SignalLog {
		h.LastPing = &now
		if prev == app.HeartbeatPaused {
			h.State = app.HeartbeatNew // a ping resumes a paused check
		}
	}
	switch p.Kind {
	case app.SignalSuccess:
		h.LastSuccess, h.StartedAt = &now, nil
		h.State = app.HeartbeatUp
		if prev.Failing() {
			s.back(ctx, h, prev, now)
		}
	case app.SignalStart:
		h.StartedAt = &now
	case app.SignalFail:
		h.StartedAt = nil
		if prev != app.HeartbeatDown {
			s.supersede(ctx, h)
			h.State = app.HeartbeatDown
			h.AlertID = s.alert(ctx, h, h.Name+" failed", failBody(h, p))
		}
	}
	return s.save(ctx, h, p)
}

// expire makes a check whose deadline passed late, raising the alert once.
func (s *Service) expire(ctx context.Context, due *app.Heartbeat, now time.Time) error {
	unlock, err := s.lock(ctx, due.ID)
	if err != nil {
		return err
	}
	defer unlock()
	h, err := s.d.Store.FindHeartbeat(ctx, due.UserID, due.ID)
	if app.ErrorKind(err) == app.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if h.Deadline == nil || h.Deadline.After(now) {
		return nil // a ping moved it meanwhile
	}
	missed := *h.Deadline
	started := h.StartedAt
	h.StartedAt, h.UpdatedAt = nil, now
	if !h.State.Failing() {
		h.State = app.HeartbeatLate
		h.AlertID = s.alert(ctx, h, h.Name+" is late", s.lateBody(h, started, missed))
	}
	return s.save(ctx, h, &app.HeartbeatPing{At: now, Kind: app.SignalLate})
}

// save computes h's deadline, stores h and p, and tells Run.
func (s *Service) save(ctx context.Context, h *app.Heartbeat, p *app.HeartbeatPing) error {
	d, err := s.deadline(h)
	if err != nil {
		return err
	}
	h.Deadline = d
	if err := s.d.Store.SaveHeartbeat(ctx, h, p); err != nil {
		return err
	}
	s.changed(h.Deadline)
	return nil
}

// alert raises a late or down notification of h and returns its id ("" when
// the owner does not receive it: a preference, a mute, or an error, logged).
func (s *Service) alert(ctx context.Context, h *app.Heartbeat, title, body string) string {
	s.alerts.Add(1)
	return s.notify(ctx, h, h.Level, title, body)
}

// back raises h's back notification and marks the alert read.
func (s *Service) back(ctx context.Context, h *app.Heartbeat, prev app.HeartbeatState, now time.Time) {
	s.supersede(ctx, h)
	loc, _ := s.location(h)
	s.notify(ctx, h, app.LevelInfo, h.Name+" is back up",
		fmt.Sprintf("A success ping arrived at %s; the check was %s.", stamp(now, loc), prev))
}

// supersede marks h's current alert read (through the inbox) and forgets it.
func (s *Service) supersede(ctx context.Context, h *app.Heartbeat) {
	if h.AlertID == "" {
		return
	}
	if err := s.d.Inbox.MarkRead(ctx, h.UserID, h.AlertID); err != nil && app.ErrorKind(err) != app.ENOTFOUND {
		s.d.Logger.Warn("heartbeat: mark the alert read", "heartbeat_id", h.ID, "err", err)
	}
	h.AlertID = ""
}

// notify sends one notification about h to its owner and returns its id.
func (s *Service) notify(ctx context.Context, h *app.Heartbeat, level app.Level, title, body string) string {
	u, err := s.d.Users.FindUserByID(ctx, h.UserID)
	if err != nil {
		s.d.Logger.Error("heartbeat: find the owner", "heartbeat_id", h.ID, "err", err)
		return ""
	}
	data, _ := json.Marshal(map[string]string{"heartbeat_id": h.ID, "state": string(h.State)})
	ev := &app.Event{Type: h.Type, Level: level, Title: truncate(title, app.MaxTitleLen), Body: body, Format: app.FormatText,
		Data: data, TargetURL: "/heartbeats", ServiceID: "heartbeat", Users: []string{u.Username},
		Object: &app.ObjectRef{AppLabel: "heartbeat", ModelName: "check", ObjectID: h.ID}}
	out, err := s.d.Dispatcher.Notify(context.WithoutCancel(ctx), nil, ev)
	if err != nil {
		s.d.Logger.Error("heartbeat: notify", "heartbeat_id", h.ID, "err", err)
		return ""
	}
	if len(out.Notifications) == 0 {
		return ""
	}
	return out.Notifications[0].ID
}

func (s *Service) lateBody(h *app.Heartbeat, started *time.Time, missed time.Time) string {
	loc, _ := s.location(h)
	if started != nil && started.Add(h.Grace).Equal(missed) {
		return fmt.Sprintf("A run started at %s and did not finish within the grace time (%s).", stamp(*started, loc), h.Grace)
	}
	last := "It was never pinged with a success."
	if h.LastSuccess != nil {
		last = "The last success was at " + stamp(*h.LastSuccess, loc) + "."
	}
	return fmt.Sprintf("No success ping by %s (%s, grace %s). %s", stamp(missed, loc), expects(h), h.Grace, last)
}

func failBody(h *app.Heartbeat, p *app.HeartbeatPing) string {
	msg := "A ping reported a failure."
	if p.ExitStatus != nil {
		msg = fmt.Sprintf("A ping reported exit status %d.", *p.ExitStatus)
	}
	if p.Body != "" {
		msg += "\n\n" + truncate(p.Body, 2000)
	}
	return msg
}

// expects says what h waits for, for people.
func expects(h *app.Heartbeat) string {
	if h.Schedule != "" {
		return "schedule " + h.Schedule
	}
	return "expected every " + h.Period.String()
}

func stamp(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}
