package hooks

import (
	"context"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ingest"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Sources of the alert hooks, kept in data.source and the topic without
// ?topic=.
const (
	sourceAlertmanager = "alertmanager"
	sourceGrafana      = "grafana"
)

// handleAlertmanager is POST /api/v1/hooks/alertmanager: the body of
// Alertmanager's webhook_config.
func (s *Service) handleAlertmanager(c *gin.Context) { s.handleAlerts(c, sourceAlertmanager) }

// handleGrafana is POST (or PUT) /api/v1/hooks/grafana: the body of
// Grafana's webhook contact point.
func (s *Service) handleGrafana(c *gin.Context) { s.handleAlerts(c, sourceGrafana) }

// handleAlerts publishes each firing alert of a group that is not in the
// inbox yet and resolves the notifications of each resolved one. Every
// alert is checked before any is published, so a bad group publishes
// nothing.
func (s *Service) handleAlerts(c *gin.Context, source string) {
	publisher, _ := caller(c)
	t, err := targetOf(c, source)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	body, err := readBody(c, MaxBody)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	p, err := parseAlerts(body)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	msgs := make([]ingest.Message, len(p.Alerts))
	for i := range p.Alerts {
		if p.Alerts[i].Status != statusFiring {
			continue
		}
		msgs[i] = alertMessage(source, t, &p.Alerts[i], p)
		if err := s.check(msgs[i]); err != nil {
			web.WriteError(c, err)
			return
		}
	}
	var ans answer
	ctx := c.Request.Context()
	for i := range p.Alerts {
		a := &p.Alerts[i]
		key := app.AlertKey{PublisherID: publisher.ID, Source: source, Topic: t.topic, Fingerprint: a.Fingerprint}
		if a.Status == statusFiring {
			err = s.fire(ctx, publisher, key, a, msgs[i], &ans)
		} else {
			err = s.resolve(ctx, key, &ans)
		}
		if err != nil {
			web.WriteError(c, err)
			return
		}
	}
	ans.write(c)
}

// check refuses a message the dispatcher would refuse, with its reason.
func (s *Service) check(m ingest.Message) error {
	ev, err := ingest.Event(m)
	if err != nil {
		return err
	}
	ev.Normalize()
	return ev.Validate(s.d.Types)
}

// fire publishes a firing alert unless the same firing (same start) is in
// the inbox already — Alertmanager repeats a group's alerts whenever the
// group changes and every repeat_interval — and remembers what it created.
func (s *Service) fire(ctx context.Context, publisher *app.User, key app.AlertKey, a *alert, m ingest.Message, ans *answer) error {
	defer s.lock(key)()
	open, err := s.d.Alerts.OpenAlerts(ctx, key)
	if err != nil {
		return err
	}
	if len(open) > 0 && open[0].StartsAt.UnixMilli() == a.StartsAt.UnixMilli() {
		ans.Repeated++
		return nil
	}
	res, err := s.d.Publisher.Publish(ctx, publisher, m)
	if err != nil {
		return err
	}
	ans.add(res)
	if len(res.Notifications) == 0 {
		return nil
	}
	return s.d.Alerts.OpenAlert(ctx, key, a.StartsAt, res.Notifications)
}

// resolve marks the notifications of a resolved alert resolved — read,
// titled "Resolved: …" — and forgets them. A resolution whose firing Belfry
// never saw, or whose notifications were deleted, changes nothing.
func (s *Service) resolve(ctx context.Context, key app.AlertKey, ans *answer) error {
	defer s.lock(key)()
	open, err := s.d.Alerts.OpenAlerts(ctx, key)
	if err != nil || len(open) == 0 {
		return err
	}
	for _, o := range open {
		err := s.d.Inbox.Resolve(ctx, o.UserID, o.NotificationID)
		if app.ErrorKind(err) == app.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		ans.Resolved = append(ans.Resolved, app.NotificationRef{ID: o.NotificationID, UserID: o.UserID})
	}
	return s.d.Alerts.CloseAlert(ctx, key)
}
