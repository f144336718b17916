package ui

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/escalation"
	"github.com/gin-gonic/gin"
)

// escalationSteps is how many step rows the add form offers.
const escalationSteps = 3

// escalationCard is the escalation section of the preferences page: the
// caller's rules, each with a Delete button, and a form to add one.
type escalationCard struct {
	Rules    []escalationRuleView
	Types    []app.NotificationType
	Webhooks []*app.Webhook
	Steps    []quietRow // the add form's step rows (Index, Number)
	Result   *alertView
}

type escalationRuleView struct {
	ID, Match string
	Steps     []string
}

// newEscalationCard reads the caller's rules and webhooks.
func (u *UI) newEscalationCard(ctx context.Context, usr *app.User) (escalationCard, error) {
	rules, err := u.d.Escalation.List(ctx, usr)
	if err != nil {
		return escalationCard{}, err
	}
	hooks, err := u.d.Webhooks.List(ctx, usr.ID)
	if err != nil {
		return escalationCard{}, err
	}
	card := escalationCard{Types: u.d.Types.All(), Webhooks: hooks}
	for i := range escalationSteps {
		card.Steps = append(card.Steps, quietRow{Index: i, Number: i + 1})
	}
	names := map[string]string{}
	for _, h := range hooks {
		names[h.ID] = h.Name
	}
	for _, r := range rules {
		v := escalationRuleView{ID: r.ID, Match: describeMatch(r)}
		at := 0
		for _, s := range r.Steps {
			at += s.DelayMinutes
			v.Steps = append(v.Steps, fmt.Sprintf("after %d min: %s", at, describeStep(s, names)))
		}
		card.Rules = append(card.Rules, v)
	}
	return card, nil
}

func describeMatch(r *app.EscalationRule) string {
	what := "Any notification"
	if r.Type != "" {
		what = "A " + r.Type + " notification"
	}
	if r.MinLevel != "" {
		what += " of level " + string(r.MinLevel) + " or above"
	}
	return what + " left unread and unacknowledged"
}

func describeStep(s app.EscalationStep, hooks map[string]string) string {
	switch s.Action {
	case app.EscalateRepeat:
		return "send it again (push with urgency high, e-mail)"
	case app.EscalateEmail:
		return "e-mail it"
	case app.EscalateWebhook:
		return "deliver it to webhook " + strings.TrimSpace(hooks[s.WebhookID]+" "+s.WebhookID)
	}
	return "notify " + s.User
}

// escalationFromForm reads the add form: type, min_level and rows
// delay-N, action-N, webhook-N, user-N; a row without a delay is left out.
func escalationFromForm(f map[string][]string) escalation.RuleInput {
	get := func(k string) string { return formField(f, k) }
	in := escalation.RuleInput{Type: get("type"), MinLevel: app.Level(get("min_level")), Steps: []app.EscalationStep{}}
	for i := range escalationSteps {
		delay := get(fmt.Sprintf("delay-%d", i))
		if delay == "" {
			continue
		}
		n, err := strconv.Atoi(delay)
		if err != nil {
			n = -1 // refused with the field's message
		}
		s := app.EscalationStep{DelayMinutes: n, Action: get(fmt.Sprintf("action-%d", i))}
		switch s.Action {
		case app.EscalateWebhook:
			s.WebhookID = get(fmt.Sprintf("webhook-%d", i))
		case app.EscalateUser:
			s.User = get(fmt.Sprintf("user-%d", i))
		}
		in.Steps = append(in.Steps, s)
	}
	return in
}

// handleCreateEscalation adds a rule from the form and answers with the
// section: saved, or the refusal.
func (u *UI) handleCreateEscalation(c *gin.Context) {
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.escalationResult(c, "Escalation rule added.", func(ctx context.Context, usr *app.User) error {
		_, err := u.d.Escalation.Create(ctx, usr, escalationFromForm(f))
		return err
	})
}

// handleDeleteEscalation deletes a rule and answers with the section.
func (u *UI) handleDeleteEscalation(c *gin.Context) {
	u.escalationResult(c, "Escalation rule deleted; its ladders in flight stop.", func(ctx context.Context, usr *app.User) error {
		return u.d.Escalation.Delete(ctx, usr, c.Param("id"))
	})
}

// escalationResult runs change and answers with the section and its
// outcome; a refusal (4xx) is shown in the section.
func (u *UI) escalationResult(c *gin.Context, saved string, change func(ctx context.Context, usr *app.User) error) {
	ctx, usr := c.Request.Context(), user(c)
	err := change(ctx, usr)
	status, a := http.StatusOK, alertView{Kind: "success", Message: saved, AutoHide: true}
	if err != nil {
		if web := app.ErrorKind(err); web != app.EINVALID && web != app.EFORBIDDEN && web != app.ENOTFOUND {
			u.fail(c, err)
			return
		}
		status, a = u.errorAlert(c, err)
	}
	card, err := u.newEscalationCard(ctx, usr)
	if err != nil {
		u.fail(c, err)
		return
	}
	card.Result = &a
	u.partial(c, status, "preferences", "escalation_card", card)
}

// escalationStepsView is a notification's ladder as the inbox shows it
// when its Escalation disclosure opens.
type escalationStepsView struct {
	State, Reason string
	Sent          []app.EscalationSent
	NextNumber    int
	NextAction    string
	DueAt         time.Time
	EndedAt       *time.Time
}

// handleNotificationEscalation answers with the steps of the caller's
// notification's ladder: what was sent, on which channel, when, and what
// comes next.
func (u *UI) handleNotificationEscalation(c *gin.Context) {
	ctx, usr := c.Request.Context(), user(c)
	id, err := app.ParseID(c.Param("id"))
	var l *escalation.Ladder
	if err == nil {
		l, err = u.d.Escalation.LadderOf(ctx, usr.ID, id)
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	v := escalationStepsView{State: l.State, Sent: l.Sent}
	if e := l.Escalation; e != nil {
		v.Reason, v.DueAt, v.EndedAt = e.Reason, e.DueAt, e.EndedAt
		if e.Next < len(e.Steps) {
			v.NextNumber, v.NextAction = e.Next+1, describeStep(e.Steps[e.Next], nil)
		}
	}
	u.partial(c, http.StatusOK, "", "escalation_steps", v)
}
