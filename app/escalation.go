package app

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// EscalationType is the built-in type of the notification another user
// receives at a ladder's "user" step (app/escalation); it is never
// escalated itself, so two users' rules cannot bounce a notification.
const EscalationType = "escalation"

// The actions of an escalation step.
const (
	// EscalateRepeat sends the notification again on the channels it went
	// out on (Web Push with urgency high, e-mail).
	EscalateRepeat = "repeat"
	// EscalateEmail e-mails it, whatever the type's e-mail preference.
	EscalateEmail = "email"
	// EscalateWebhook delivers it to one chosen webhook of the owner's.
	EscalateWebhook = "webhook"
	// EscalateUser notifies another user, through the dispatcher.
	EscalateUser = "user"
)

// The states of a ladder.
const (
	EscalationActive    = "active"    // a step is due at DueAt
	EscalationDone      = "done"      // every step was taken
	EscalationCancelled = "cancelled" // read, acknowledged or its rule deleted
)

// Bounds of a user's rules.
const (
	MaxEscalationRules = 20
	MaxEscalationSteps = 5
	// MaxEscalationDelay is the longest delay of a step, in minutes (a week).
	MaxEscalationDelay = 7 * 24 * 60
)

// EscalationStep is one rung of a ladder: DelayMinutes after the previous
// step was taken (the first: after the notification arrived), Action.
// WebhookID names the owner's webhook of a "webhook" step, User the
// username of a "user" step.
type EscalationStep struct {
	DelayMinutes int    `json:"delay_minutes"`
	Action       string `json:"action"`
	WebhookID    string `json:"webhook_id,omitempty"`
	User         string `json:"user,omitempty"`
}

// Delay is the step's delay.
func (s EscalationStep) Delay() time.Duration { return time.Duration(s.DelayMinutes) * time.Minute }

// EscalationRule is one of a user's rules: a notification of Type ("" any)
// at MinLevel or above ("" any) that stays unread and unacknowledged
// climbs Steps.
type EscalationRule struct {
	ID        string           `json:"id"`
	UserID    string           `json:"-"`
	Type      string           `json:"type"`
	MinLevel  Level            `json:"min_level"`
	Steps     []EscalationStep `json:"steps"`
	CreatedAt time.Time        `json:"created_at"`
	UpdatedAt time.Time        `json:"updated_at"`
}

// Validate checks the fields that need no store; each problem is EINVALID
// naming the field. The webhook and user a step names are checked by the
// service (app/escalation).
func (r *EscalationRule) Validate(types *Types) error {
	if r.Type == "" && r.MinLevel == "" {
		return Errorf(EINVALID, "Give field type, field min_level or both: a rule that matches every notification would escalate everything.")
	}
	if r.Type != "" {
		if _, ok := types.Lookup(r.Type); !ok {
			return Errorf(EINVALID, "Field type: %q is not a known notification type.", r.Type)
		}
		if r.Type == EscalationType {
			return Errorf(EINVALID, "Field type: %q notifications are never escalated.", r.Type)
		}
	}
	if r.MinLevel != "" && !r.MinLevel.Valid() {
		return Errorf(EINVALID, "Field min_level must be info, warning or error, not %q.", r.MinLevel)
	}
	if len(r.Steps) == 0 || len(r.Steps) > MaxEscalationSteps {
		return Errorf(EINVALID, "Field steps must hold 1 to %d steps, not %d.", MaxEscalationSteps, len(r.Steps))
	}
	for i, s := range r.Steps {
		if err := s.validate(); err != nil {
			return Errorf(EINVALID, "Step %d: %s", i+1, err)
		}
	}
	return nil
}

func (s EscalationStep) validate() error {
	if s.DelayMinutes < 1 || s.DelayMinutes > MaxEscalationDelay {
		return fmt.Errorf("field delay_minutes must be 1 to %d (a week), not %d", MaxEscalationDelay, s.DelayMinutes)
	}
	switch s.Action {
	case EscalateRepeat, EscalateEmail:
		if s.WebhookID != "" || s.User != "" {
			return fmt.Errorf("a %s step takes no webhook_id or user", s.Action)
		}
	case EscalateWebhook:
		if s.WebhookID == "" || s.User != "" {
			return fmt.Errorf("a webhook step needs field webhook_id (one of your webhooks) and no user")
		}
	case EscalateUser:
		if s.User == "" || s.WebhookID != "" {
			return fmt.Errorf("a user step needs field user (a username) and no webhook_id")
		}
	default:
		return fmt.Errorf("field action must be repeat, email, webhook or user, not %q", s.Action)
	}
	return nil
}

// Matches reports whether the rule escalates n.
func (r *EscalationRule) Matches(n *Notification) bool {
	return n.Type != EscalationType && (r.Type == "" || r.Type == n.Type) &&
		(r.MinLevel == "" || levelRank(n.Level) >= levelRank(r.MinLevel))
}

// SortEscalationRules orders rules by precedence, the first matching one
// being a notification's ladder: a rule naming the type before one by
// level only, then the higher minimum level, then the older rule.
func SortEscalationRules(rules []*EscalationRule) {
	slices.SortStableFunc(rules, func(a, b *EscalationRule) int {
		switch {
		case (a.Type != "") != (b.Type != ""):
			if a.Type != "" {
				return -1
			}
			return 1
		case levelRank(a.MinLevel) != levelRank(b.MinLevel):
			return levelRank(b.MinLevel) - levelRank(a.MinLevel)
		}
		return a.CreatedAt.Compare(b.CreatedAt)
	})
}

// StartEscalation returns the ladder of n under the first of rules
// (sorted by SortEscalationRules) that matches, or nil. channels are those
// n went out on besides in-app ("push", "email"): what a repeat repeats.
func StartEscalation(rules []*EscalationRule, n *Notification, channels []string) *Escalation {
	for _, r := range rules {
		if r.Matches(n) {
			return &Escalation{NotificationID: n.ID, UserID: n.UserID, RuleID: r.ID, Steps: slices.Clone(r.Steps),
				Channels: channels, DueAt: n.CreatedAt.Add(r.Steps[0].Delay()), State: EscalationActive, StartedAt: n.CreatedAt}
		}
	}
	return nil
}

// Escalation is one notification's ladder: the steps of its rule as they
// were when it arrived, the index of the next step and when it is due.
type Escalation struct {
	NotificationID string           `json:"notification_id"`
	UserID         string           `json:"-"`
	RuleID         string           `json:"rule_id"`
	Steps          []EscalationStep `json:"steps"`
	Channels       []string         `json:"channels"`
	Next           int              `json:"next_step"` // index into Steps
	DueAt          time.Time        `json:"due_at"`
	State          string           `json:"state"`
	// Reason says why a cancelled ladder stopped: read, acknowledged,
	// rule deleted.
	Reason    string     `json:"reason,omitempty"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at"`
}

// EscalationSent is one step taken: what was sent, on which channel, when.
type EscalationSent struct {
	Step    int       `json:"step"` // from 1
	Action  string    `json:"action"`
	Channel string    `json:"channel"` // push, email, webhook, user or none
	Detail  string    `json:"detail"`
	At      time.Time `json:"at"`
}

// EscalationDue is an active ladder whose step is due, with its
// notification as stored (nil once deleted).
type EscalationDue struct {
	Escalation   *Escalation
	Notification *Notification
}

// EscalationRules is what the dispatcher asks of escalation: each
// recipient's rules, sorted by precedence, and a call after a dispatch
// that started ladders.
type EscalationRules interface {
	EscalationRulesFor(ctx context.Context, userIDs []string) (map[string][]*EscalationRule, error)
	// Escalating says that ladders were started, the earliest due at due.
	Escalating(due time.Time)
}

// EscalationStore keeps the rules, the ladders in flight and the steps
// taken.
type EscalationStore interface {
	// ListEscalationRules returns userID's rules, oldest first.
	ListEscalationRules(ctx context.Context, userID string) ([]*EscalationRule, error)
	// EscalationRulesFor returns the rules of several users.
	EscalationRulesFor(ctx context.Context, userIDs []string) (map[string][]*EscalationRule, error)
	// CreateEscalationRule stores r (its ID and times set). ENOTFOUND
	// when its user does not exist.
	CreateEscalationRule(ctx context.Context, r *EscalationRule) error
	// UpdateEscalationRule replaces the type, level and steps of r.UserID's
	// rule r.ID. ENOTFOUND.
	UpdateEscalationRule(ctx context.Context, r *EscalationRule) error
	// DeleteEscalationRule removes userID's rule id and cancels its
	// ladders in flight. ENOTFOUND.
	DeleteEscalationRule(ctx context.Context, userID, id string, now time.Time) error
	// NextEscalationDue returns the earliest DueAt of an active ladder.
	NextEscalationDue(ctx context.Context) (time.Time, bool, error)
	// DueEscalations returns up to limit active ladders due at now,
	// earliest first.
	DueEscalations(ctx context.Context, now time.Time, limit int) ([]EscalationDue, error)
	// TakeEscalationStep records step e.Next as sent and queues out, in one
	// write, only while the ladder is still active at that step and its
	// notification unread and unacknowledged; the ladder then waits for
	// its next step (due next.Delay after now) or is done. Otherwise it
	// cancels the ladder (the notification was read, acknowledged or
	// deleted) and reports taken false.
	TakeEscalationStep(ctx context.Context, e *Escalation, sent []EscalationSent, out Outbox, now time.Time) (taken bool, err error)
	// NoteEscalationStep appends detail to step's records (what a dispatch
	// to another user gave).
	NoteEscalationStep(ctx context.Context, notificationID string, step int, detail string) error
	// CancelEscalations cancels userID's active ladders whose notification
	// is read or acknowledged, and returns how many.
	CancelEscalations(ctx context.Context, userID string, now time.Time) (int, error)
	// EscalationStates returns the state of the ladders of userID's
	// notifications ids that have one.
	EscalationStates(ctx context.Context, userID string, ids []string) (map[string]string, error)
	// FindEscalation returns the ladder of userID's notification id and its
	// steps taken; ok false when it has none.
	FindEscalation(ctx context.Context, userID, id string) (e *Escalation, sent []EscalationSent, ok bool, err error)
}
