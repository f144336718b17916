package escalation

import (
	"context"
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/metrics"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Register serves the caller's rules beside their preferences, and each
// notification's ladder.
func (s *Service) Register(r gin.IRouter, authenticate gin.HandlerFunc) {
	g := r.Group("/api/notifications/escalations", authenticate, web.RequireUser(app.ScopeClient))
	g.GET("", s.handleList)
	g.POST("", s.handleCreate)
	g.GET("/:id", s.handleGet)
	g.PUT("/:id", s.handleUpdate)
	g.DELETE("/:id", s.handleDelete)
	r.GET("/api/notifications/:id/escalation", authenticate, web.RequireUser(app.ScopeClient), s.handleLadder)
}

// rulesBody is the body of GET /api/notifications/escalations.
type rulesBody struct {
	Rules []*app.EscalationRule `json:"rules"`
}

func (s *Service) handleList(c *gin.Context) {
	rules, err := s.List(c.Request.Context(), web.UserFrom(c))
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, rulesBody{Rules: rules})
}

func (s *Service) handleCreate(c *gin.Context) {
	var in RuleInput
	if err := web.DecodeJSON(c, &in); err != nil {
		web.WriteError(c, err)
		return
	}
	r, err := s.Create(c.Request.Context(), web.UserFrom(c), in)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, r)
}

func (s *Service) handleGet(c *gin.Context) {
	s.withRule(c, func(ctx context.Context, u *app.User, id string) (*app.EscalationRule, error) {
		return s.Get(ctx, u, id)
	})
}

func (s *Service) handleUpdate(c *gin.Context) {
	s.withRule(c, func(ctx context.Context, u *app.User, id string) (*app.EscalationRule, error) {
		var in RuleInput
		if err := web.DecodeJSON(c, &in); err != nil {
			return nil, err
		}
		return s.Update(ctx, u, id, in)
	})
}

func (s *Service) handleDelete(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	if err := s.Delete(c.Request.Context(), web.UserFrom(c), id); err != nil {
		web.WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// withRule answers with what fn returns for the rule the path names.
func (s *Service) withRule(c *gin.Context, fn func(ctx context.Context, u *app.User, id string) (*app.EscalationRule, error)) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	r, err := fn(c.Request.Context(), web.UserFrom(c), id)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// Ladder is a notification's escalation as the API shows it: State
// "none" when no rule matched it.
type Ladder struct {
	NotificationID string `json:"notification_id"`
	State          string `json:"state"`
	*app.Escalation
	// NextAt is when the next step is due, while active.
	NextAt *string `json:"next_at"`
	// Sent are the steps taken: what was sent, on which channel, when.
	Sent []app.EscalationSent `json:"sent"`
}

// LadderOf returns the ladder of userID's notification id. Errors:
// ENOTFOUND (NOTIFICATION_NOT_FOUND) when userID has no such notification.
func (s *Service) LadderOf(ctx context.Context, userID, id string) (*Ladder, error) {
	e, sent, ok, err := s.d.Store.FindEscalation(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		n, err := s.d.Notifications.FindNotification(ctx, id)
		if err != nil {
			return nil, err
		}
		if n.UserID != userID {
			return nil, &app.Error{Kind: app.ENOTFOUND, Code: app.CodeNotificationNotFound, Message: "Notification not found."}
		}
		return &Ladder{NotificationID: id, State: "none", Sent: []app.EscalationSent{}}, nil
	}
	l := &Ladder{NotificationID: id, State: e.State, Escalation: e, Sent: sent}
	if e.State == app.EscalationActive {
		at := e.DueAt.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		l.NextAt = &at
	}
	return l, nil
}

// States returns the ladder states of those of userID's notifications ns
// that have one (none: no query).
func (s *Service) States(ctx context.Context, userID string, ns []*app.Notification) (map[string]string, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	ids := make([]string, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	return s.d.Store.EscalationStates(ctx, userID, ids)
}

func (s *Service) handleLadder(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	l, err := s.LadderOf(c.Request.Context(), web.UserFrom(c).ID, id)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, l)
}

// Observe registers the escalation metrics on m.
func (s *Service) Observe(m *metrics.Registry) {
	for _, a := range actions {
		n := s.steps[a]
		m.CounterFunc("belfry_escalation_steps_total", "Escalation steps taken, by action.",
			func() float64 { return float64(n.Load()) }, "kind", a)
	}
	m.CounterFunc("belfry_escalations_cancelled_total", "Escalation ladders stopped because the notification was read or acknowledged.",
		func() float64 { return float64(s.cancelled.Load()) })
	m.CounterFunc("belfry_escalation_wakeups_total", "Wake-ups of the escalation timer.",
		func() float64 { return float64(s.wakeup.Load()) })
}

// Doc describes the escalation routes.
func (s *Service) Doc() web.Doc {
	step := web.Object("delay_minutes!", web.Int("1 to 10080: minutes after the previous step was taken (the first: after the notification arrived)."),
		"action!", web.Enum(app.EscalateRepeat, app.EscalateEmail, app.EscalateWebhook, app.EscalateUser),
		"webhook_id", web.Str("A webhook step: one of the caller's webhooks."),
		"user", web.Str("A user step: the username notified (an admin, unless the caller is one)."))
	input := web.Object("type", web.Str("A notification type; empty: any. Give type, min_level or both."),
		"min_level", web.Enum("", string(app.LevelInfo), string(app.LevelWarning), string(app.LevelError)),
		"steps!", web.Array(web.Ref("EscalationStep")))
	rule := web.Object("id!", web.Str("UUID."), "type!", web.Str("A notification type, or empty for any."),
		"min_level!", web.Str("info, warning, error or empty for any."), "steps!", web.Array(web.Ref("EscalationStep")),
		"created_at!", web.Str("RFC 3339."), "updated_at!", web.Str("RFC 3339."))
	sent := web.Object("step!", web.Int("From 1."), "action!", web.Str("The step's action."),
		"channel!", web.Enum("push", "email", "webhook", "user", "none"), "detail!", web.Str("What was sent, or why nothing was."),
		"at!", web.Str("RFC 3339."))
	ladder := web.Object("notification_id!", web.Str("UUID."),
		"state!", web.Enum("none", app.EscalationActive, app.EscalationDone, app.EscalationCancelled),
		"rule_id", web.Str("The rule that started it."), "steps", web.Array(web.Ref("EscalationStep")),
		"channels", web.Array(web.Str("push or email: what a repeat step sends again.")),
		"next_step", web.Int("Index of the next step in steps, from 0."), "next_at!", web.Str("When the next step is due; null unless active."),
		"reason", web.Str("Why a cancelled ladder stopped: read, acknowledged, rule deleted."),
		"started_at", web.Str("RFC 3339."), "ended_at", web.Str("RFC 3339, or null."),
		"sent!", web.Array(web.Ref("EscalationSent")))
	rules := web.Object("rules!", web.Array(web.Ref("EscalationRule")))
	const tag = "notifications"
	ruleErrors := append(append([]int{}, web.BodyErrors...), http.StatusNotFound)
	return web.Doc{Schemas: map[string]web.Schema{"EscalationStep": step, "EscalationRuleInput": input, "EscalationRule": rule,
		"EscalationSent": sent, "EscalationLadder": ladder}, Operations: []web.Operation{
		{Method: "GET", Path: "/api/notifications/escalations", Tag: tag, Auth: web.AnyLogin,
			Summary: "The caller's escalation rules, oldest first.", Status: 200, Result: rules, Errors: web.AuthErrors},
		{Method: "POST", Path: "/api/notifications/escalations", Tag: tag, Auth: web.AnyLogin,
			Summary: "Add an escalation rule: a type and/or minimum level, and a ladder of steps.", Body: web.Ref("EscalationRuleInput"),
			Status: 201, Result: web.Ref("EscalationRule"), Errors: web.BodyErrors},
		{Method: "GET", Path: "/api/notifications/escalations/:id", Tag: tag, Auth: web.AnyLogin,
			Summary: "One of the caller's escalation rules.", Status: 200, Result: web.Ref("EscalationRule"), Errors: ruleErrors},
		{Method: "PUT", Path: "/api/notifications/escalations/:id", Tag: tag, Auth: web.AnyLogin,
			Summary: "Replace a rule; ladders it already started keep their steps.", Body: web.Ref("EscalationRuleInput"),
			Status: 200, Result: web.Ref("EscalationRule"), Errors: ruleErrors},
		{Method: "DELETE", Path: "/api/notifications/escalations/:id", Tag: tag, Auth: web.AnyLogin,
			Summary: "Delete a rule and stop its ladders in flight.", Status: 204, Errors: ruleErrors},
		{Method: "GET", Path: "/api/notifications/:id/escalation", Tag: tag, Auth: web.AnyLogin,
			Summary: "A notification's escalation: its ladder, the next step due and every step taken (what, on which channel, when).",
			Status:  200, Result: web.Ref("EscalationLadder"), Errors: ruleErrors},
	}}
}
