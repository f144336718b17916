package escalation

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
)

const (
	// recheckEvery bounds the wait for the next step: timers of a
	// suspended machine fire late, and a failed read is retried.
	recheckEvery = time.Hour
	// minWait spaces the timer's wake-ups: a step due less than a second
	// after the last look waits for the second to pass, so steps due close
	// together are taken together and however many ladders are in flight
	// the timer wakes at most once a second.
	minWait = time.Second
	// batch is how many due ladders one read takes.
	batch = 200
)

// Run takes the steps missed while Belfry was off, then each when due,
// until ctx ends.
func (s *Service) Run(ctx context.Context) {
	for {
		s.wakeup.Add(1)
		woke := s.d.Clock.Now()
		s.sweep(ctx)
		if _, err := s.Escalate(ctx); err != nil && ctx.Err() == nil {
			s.d.Logger.Error("escalation", "err", err)
		}
		wait := time.Duration(-1) // no ladder in flight: wait for a kick
		if next, ok, err := s.d.Store.NextEscalationDue(ctx); err != nil && ctx.Err() == nil {
			s.d.Logger.Error("escalation next step", "err", err)
			wait = recheckEvery
		} else if ok {
			now := s.d.Clock.Now()
			if wait = min(max(next.Sub(now), woke.Add(minWait).Sub(now)), recheckEvery); wait <= 0 {
				continue // due meanwhile, and the last look was a while ago
			}
		}
		if !clock.Sleep(ctx, s.d.Clock, wait, s.kick) {
			return
		}
	}
}

// sweep stops the ladders of the users whose notifications were read or
// acknowledged since the last look.
func (s *Service) sweep(ctx context.Context) {
	s.mu.Lock()
	users := s.dirty
	s.dirty = map[string]bool{}
	s.mu.Unlock()
	for id := range users {
		n, err := s.d.Store.CancelEscalations(ctx, id, s.d.Clock.Now())
		if err != nil {
			s.d.Logger.Error("escalation cancel", "user", id, "err", err)
			continue
		}
		s.cancelled.Add(uint64(n))
	}
}

// Escalate takes every step due now and returns how many it took. A
// ladder whose notification was read, acknowledged or deleted meanwhile is
// cancelled instead: the store re-checks in the write that records the
// step.
func (s *Service) Escalate(ctx context.Context) (int, error) {
	taken := 0
	for {
		now := s.d.Clock.Now()
		due, err := s.d.Store.DueEscalations(ctx, now, batch)
		if err != nil {
			return taken, err
		}
		for _, d := range due {
			ok, err := s.step(ctx, d, now)
			if err != nil {
				return taken, err
			}
			if ok {
				taken++
			}
		}
		if len(due) < batch {
			return taken, nil
		}
	}
}

// step takes the next step of d's ladder.
func (s *Service) step(ctx context.Context, d app.EscalationDue, now time.Time) (bool, error) {
	e, n := d.Escalation, d.Notification
	if n == nil || n.ReadAt != nil || n.AcknowledgedAt != nil {
		// Stopped: the store records why (the bus may not have said yet).
		_, err := s.d.Store.TakeEscalationStep(ctx, e, nil, app.Outbox{}, now)
		s.cancelled.Add(1)
		return false, err
	}
	st := e.Steps[e.Next]
	sent, out, err := s.plan(ctx, e, st, n, now)
	if err != nil {
		return false, err
	}
	taken, err := s.d.Store.TakeEscalationStep(ctx, e, sent, out, now)
	if err != nil || !taken {
		if err == nil {
			s.cancelled.Add(1)
		}
		return false, err
	}
	s.steps[st.Action].Add(1)
	if len(out.Webhooks)+len(out.Emails)+len(out.Pushes) > 0 {
		s.d.Kick()
	}
	if st.Action == app.EscalateUser {
		s.notifyUser(ctx, e, st, n, now)
	}
	return true, nil
}

// plan is what step st of e sends for n: the records and the outbox rows.
// What cannot go out (e-mail off, the webhook gone) is recorded as such,
// on channel "none", and the ladder goes on.
func (s *Service) plan(ctx context.Context, e *app.Escalation, st app.EscalationStep, n *app.Notification, now time.Time) (
	[]app.EscalationSent, app.Outbox, error) {
	var sent []app.EscalationSent
	var out app.Outbox
	record := func(channel, detail string) {
		sent = append(sent, app.EscalationSent{Step: e.Next + 1, Action: st.Action, Channel: channel, Detail: detail, At: now})
	}
	title := app.TruncateUTF8("Reminder: "+n.Title+" (not read for "+since(n.CreatedAt, now)+")", app.MaxTitleLen)
	switch st.Action {
	case app.EscalateRepeat:
		for _, ch := range e.Channels {
			switch {
			case ch == "push" && s.d.Pushes != nil:
				devices, err := s.d.Pushes.Devices(ctx, e.UserID)
				if err != nil || devices == 0 {
					if err != nil {
						return nil, out, err
					}
					continue // the devices were removed since
				}
				ps, err := s.d.Pushes.Reminder(n, title, now)
				if err != nil {
					return nil, out, err
				}
				out.Pushes = append(out.Pushes, ps...)
				record("push", fmt.Sprintf("pushed again to %s, urgency high", app.Plural(devices, "device")))
			case ch == "email" && s.d.Emails != nil:
				es, err := s.reminderEmail(ctx, n, title, now)
				if err != nil {
					return nil, out, err
				}
				out.Emails = append(out.Emails, es...)
				record("email", "e-mailed again")
			}
		}
		if len(sent) == 0 {
			record("none", "nothing to repeat: it went out on no channel besides the inbox")
		}
	case app.EscalateEmail:
		if s.d.Emails == nil {
			record("none", "not e-mailed: e-mail is off on this server")
			break
		}
		es, err := s.reminderEmail(ctx, n, title, now)
		if err != nil {
			return nil, out, err
		}
		out.Emails = es
		record("email", "e-mailed")
	case app.EscalateWebhook:
		d, err := s.d.Webhooks.DeliveryTo(ctx, e.UserID, st.WebhookID, n)
		switch app.ErrorKind(err) {
		case "":
			out.Webhooks = []*app.WebhookDelivery{d}
			record("webhook", "delivered to webhook "+st.WebhookID)
		case app.ENOTFOUND:
			record("none", "not delivered: webhook "+st.WebhookID+" no longer exists")
		case app.EINVALID:
			record("none", "not delivered: webhook "+st.WebhookID+" is paused")
		default:
			return nil, out, err
		}
	case app.EscalateUser:
		record("user", "notified "+st.User)
	}
	return sent, out, nil
}

// reminderEmail is n e-mailed again under title, due now and never
// batched.
func (s *Service) reminderEmail(ctx context.Context, n *app.Notification, title string, now time.Time) ([]*app.Email, error) {
	again := *n
	again.EmailSubject = app.TruncateUTF8("Reminder: "+cmp.Or(n.EmailSubject, n.Title), app.MaxEmailSubject)
	again.Title, again.CreatedAt = title, now
	typ, ok := s.d.Types.Lookup(n.Type)
	if !ok {
		typ = app.NotificationType{Name: n.Type}
	}
	es, err := s.d.Emails.Emails(ctx, typ, &again, true)
	for _, m := range es {
		m.Batch = app.EmailBatch{}
	}
	return es, err
}

// notifyUser sends st's user a notification of n through the dispatcher
// and notes on the step what it gave. The step is recorded first: a
// failure here loses this notification, never sends it twice.
func (s *Service) notifyUser(ctx context.Context, e *app.Escalation, st app.EscalationStep, n *app.Notification, now time.Time) {
	s.mu.Lock()
	d := s.dispatcher
	s.mu.Unlock()
	note := ": it is not sent (no dispatcher)"
	if d != nil {
		owner := "another user"
		if u, err := s.d.Users.FindUserByID(ctx, e.UserID); err == nil {
			owner = u.Username
		}
		res, err := d.Notify(ctx, nil, s.userEvent(n, owner, st.User, now))
		switch {
		case err != nil:
			note = ": it failed, " + app.ErrorMessage(err)
		case len(res.Notifications) > 0:
			note = " (notification " + res.Notifications[0].ID + ")"
		default:
			note = " (their preferences keep it out of the inbox)"
		}
	}
	if err := s.d.Store.NoteEscalationStep(ctx, e.NotificationID, e.Next+1, note); err != nil {
		s.d.Logger.Error("escalation note", "notification", e.NotificationID, "err", err)
	}
}

// userEvent is what another user receives at a "user" step: the
// notification's title and level, who did not read it for how long, its
// body, and its id in data.escalated_from.
func (s *Service) userEvent(n *app.Notification, owner, to string, now time.Time) *app.Event {
	body := fmt.Sprintf("%s has not read this %s for %s.\n\n%s", owner, n.Level, since(n.CreatedAt, now), n.Body)
	data := fmt.Sprintf(`{"escalated_from":%q,"owner":%q,"type":%q,"created_at":%q}`,
		n.ID, owner, n.Type, n.CreatedAt.UTC().Format(time.RFC3339))
	return &app.Event{Type: app.EscalationType, Level: n.Level, Title: app.TruncateUTF8("Escalated from "+owner+": "+n.Title, app.MaxTitleLen),
		Body: app.TruncateUTF8(strings.TrimSpace(body), app.MaxBodyLen), Format: n.Format, Users: []string{to}, Data: []byte(data), TargetURL: n.TargetURL}
}

// since is how long ago from now t was, in minutes or hours and minutes.
func since(t, now time.Time) string {
	m := int(now.Sub(t).Round(time.Minute) / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m%60 == 0:
		return fmt.Sprintf("%d h", m/60)
	}
	return fmt.Sprintf("%d h %d min", m/60, m%60)
}
