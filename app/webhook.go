package app

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// WebhookKind is the target format of a webhook.
type WebhookKind string

// The four webhook formats.
const (
	WebhookDiscord WebhookKind = "discord"
	WebhookSlack   WebhookKind = "slack"
	WebhookNtfy    WebhookKind = "ntfy"
	WebhookGeneric WebhookKind = "generic"
)

// Valid reports whether k is a known kind.
func (k WebhookKind) Valid() bool {
	return k == WebhookDiscord || k == WebhookSlack || k == WebhookNtfy || k == WebhookGeneric
}

// Outbox states of a webhook delivery: pending until delivered, or failed
// once it gave up (a permanent error, too many attempts, webhook disabled).
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Limits of a webhook's fields.
const (
	MaxWebhookName     = 100
	MaxWebhookEvents   = 32
	MaxWebhooksPerUser = 50
	MaxWebhookAuth     = 256
)

// Webhook is a user's outgoing webhook: a URL in one of the four formats and
// the events it receives. Secret (generic only) signs payloads; AuthUsername,
// AuthPassword and AuthToken (ntfy only) authenticate to the receiver. The
// three secrets never leave the server after creation: they carry no JSON
// tags and callers render webhooks through their own view types.
type Webhook struct {
	ID     string
	UserID string
	Name   string
	Kind   WebhookKind
	URL    string
	Events []string
	// Enabled is false when the user paused the webhook or the receiver
	// answered 410 Gone; DisabledReason says which.
	Enabled        bool
	DisabledReason string
	Secret         string
	AuthUsername   string
	AuthPassword   string
	AuthToken      string
	// QuietExempt is true when the webhook does not follow its owner's
	// quiet hours (by default it does: quiet hours hold its deliveries).
	QuietExempt bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// AuthMode is "basic", "token" or "none", for displays that must not show
// the credentials themselves.
func (w *Webhook) AuthMode() string {
	switch {
	case w.AuthToken != "":
		return "token"
	case w.AuthUsername != "":
		return "basic"
	}
	return "none"
}

// Subscribes reports whether the webhook receives event.
func (w *Webhook) Subscribes(event string) bool {
	for _, e := range w.Events {
		if e == event {
			return true
		}
	}
	return false
}

// Validate checks a webhook against the known webhook events (events the
// type registry maps to). It does not check whether the URL's host is on a
// private network: that needs DNS and is the webhook service's job. Every
// problem is EINVALID with a message naming the field.
func (w *Webhook) Validate(known []string) error {
	if !w.Kind.Valid() {
		return Errorf(EINVALID, "Field kind must be discord, slack, ntfy or generic, not %q.", w.Kind)
	}
	if len(w.Name) > MaxWebhookName || !utf8.ValidString(w.Name) {
		return Errorf(EINVALID, "Field name must be valid UTF-8 of at most %d bytes.", MaxWebhookName)
	}
	if err := ValidateWebhookURL(w.URL); err != nil {
		return err
	}
	if err := validateWebhookEvents(w.Events, known); err != nil {
		return err
	}
	return w.validateAuth()
}

// ValidateWebhookURL returns EINVALID unless raw is an absolute http or https
// URL with a host and without embedded credentials.
func ValidateWebhookURL(raw string) error {
	if raw == "" {
		return Errorf(EINVALID, "Field url is required.")
	}
	if len(raw) > MaxURLLen {
		return Errorf(EINVALID, "Field url is longer than %d bytes.", MaxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Errorf(EINVALID, "Field url is not a valid URL.")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return Errorf(EINVALID, "Field url must use http or https, not %q.", u.Scheme)
	}
	if u.Hostname() == "" {
		return Errorf(EINVALID, "Field url must name a host.")
	}
	if u.User != nil {
		return Errorf(EINVALID, "Field url must not contain credentials; use auth_username and auth_password (ntfy).")
	}
	return nil
}

func validateWebhookEvents(events, known []string) error {
	if len(events) == 0 {
		return Errorf(EINVALID, "Field events must name at least one event; known events: %s.", strings.Join(known, ", "))
	}
	if len(events) > MaxWebhookEvents {
		return Errorf(EINVALID, "Field events names more than %d events.", MaxWebhookEvents)
	}
	seen := make(map[string]bool, len(events))
	for _, e := range events {
		ok := false
		for _, k := range known {
			ok = ok || k == e
		}
		if !ok {
			return Errorf(EINVALID, "Unknown webhook event %q; known events: %s.", e, strings.Join(known, ", "))
		}
		if seen[e] {
			return Errorf(EINVALID, "Field events names %q twice.", e)
		}
		seen[e] = true
	}
	return nil
}

func (w *Webhook) validateAuth() error {
	if w.AuthUsername == "" && w.AuthPassword == "" && w.AuthToken == "" {
		return nil
	}
	if w.Kind != WebhookNtfy {
		return Errorf(EINVALID, "Fields auth_username, auth_password and auth_token are only for ntfy webhooks.")
	}
	if w.AuthToken != "" && (w.AuthUsername != "" || w.AuthPassword != "") {
		return Errorf(EINVALID, "Give either auth_token or auth_username and auth_password, not both.")
	}
	if w.AuthPassword != "" && w.AuthUsername == "" {
		return Errorf(EINVALID, "Field auth_password needs auth_username.")
	}
	for _, s := range []string{w.AuthUsername, w.AuthPassword, w.AuthToken} {
		if len(s) > MaxWebhookAuth || strings.ContainsAny(s, "\r\n") {
			return Errorf(EINVALID, "ntfy credentials must be single lines of at most %d bytes.", MaxWebhookAuth)
		}
	}
	if strings.Contains(w.AuthUsername, ":") {
		return Errorf(EINVALID, "Field auth_username must not contain a colon.")
	}
	return nil
}

// DeliveryClaim is a batch of due deliveries of one webhook, leased to one
// worker lane.
type DeliveryClaim struct {
	Webhook    *Webhook
	Deliveries []*WebhookDelivery
}

// ClaimRequest asks for due deliveries: at most Lanes webhooks, at most
// PerLane deliveries each, none of the Busy webhooks. Claimed deliveries get
// NextAttemptAt = LeaseUntil, so after a crash they are retried once the
// lease ends.
type ClaimRequest struct {
	Now        time.Time
	LeaseUntil time.Time
	Lanes      int
	PerLane    int
	Busy       []string
}

// DeliveryFilter selects a page of one webhook's delivery log, newest first.
// Before is the id of the last delivery of the previous page.
type DeliveryFilter struct {
	WebhookID string
	Status    string
	Before    string
	Limit     int
}

// WebhookStore persists webhooks and their delivery outbox. Methods taking a
// userID act only on that user's webhooks and return ENOTFOUND for another
// user's, so ids cannot be probed.
type WebhookStore interface {
	// CreateWebhook stores w; ENOTFOUND when its user does not exist.
	CreateWebhook(ctx context.Context, w *Webhook) error
	FindWebhook(ctx context.Context, userID, id string) (*Webhook, error)
	// ListWebhooks returns the user's webhooks, oldest first.
	ListWebhooks(ctx context.Context, userID string) ([]*Webhook, error)
	// UpdateWebhook saves every mutable field of w. Disabling a webhook fails
	// its pending deliveries.
	UpdateWebhook(ctx context.Context, w *Webhook) error
	// DeleteWebhook removes the webhook and its delivery log.
	DeleteWebhook(ctx context.Context, userID, id string) error
	// SubscribedWebhooks returns the user's enabled webhooks receiving event.
	SubscribedWebhooks(ctx context.Context, userID, event string) ([]*Webhook, error)
	// DisableWebhook disables any user's webhook with a reason and fails its
	// pending deliveries.
	DisableWebhook(ctx context.Context, id, reason string) error

	// InsertDeliveries adds deliveries outside a dispatch (test sends).
	// Deliveries of webhooks that no longer exist are dropped.
	InsertDeliveries(ctx context.Context, ds []*WebhookDelivery) error
	// ClaimDeliveries leases due deliveries of enabled webhooks.
	ClaimDeliveries(ctx context.Context, req ClaimRequest) ([]*DeliveryClaim, error)
	// RecordAttempts saves status, attempts, next attempt, error, response
	// code and duration of each delivery.
	RecordAttempts(ctx context.Context, ds []*WebhookDelivery) error
	// ExpediteDeliveries makes the webhook's backed-off pending deliveries
	// due at now (its receiver answered again) and returns how many.
	ExpediteDeliveries(ctx context.Context, webhookID string, now time.Time) (int, error)
	// NextDeliveryDue returns the earliest next attempt of a pending delivery
	// of a webhook not in busy; ok is false when there is none.
	NextDeliveryDue(ctx context.Context, busy []string) (at time.Time, ok bool, err error)
	// CountPendingDeliveries returns the outbox depth.
	CountPendingDeliveries(ctx context.Context) (int, error)
	// ListDeliveries returns a page of a webhook's delivery log.
	ListDeliveries(ctx context.Context, f DeliveryFilter) ([]*WebhookDelivery, error)
	// PruneDeliveries deletes finished deliveries last updated before before.
	PruneDeliveries(ctx context.Context, before time.Time) (int, error)
}
