package app

import (
	"context"
	"encoding/json"
	"time"
)

// Notification statuses of the polling API.
const (
	StatusPending      = "pending"
	StatusAcknowledged = "acknowledged"
)

// ObjectRef names the object an event is about; users may mute it.
type ObjectRef struct {
	AppLabel  string `json:"app_label"`
	ModelName string `json:"model_name"`
	ObjectID  string `json:"object_id"`
}

// Notification is one stored notification of one user. It is the single row
// behind the in-app, WebSocket and polling views.
type Notification struct {
	ID             string          `json:"id"`
	UserID         string          `json:"user_id"`
	Type           string          `json:"type"`
	Level          Level           `json:"level"`
	Title          string          `json:"title"`
	Body           string          `json:"body"`
	Data           json.RawMessage `json:"data"`
	TargetURL      string          `json:"target_url,omitempty"`
	EmailSubject   string          `json:"email_subject,omitempty"`
	ServiceID      string          `json:"service_id,omitempty"`
	Project        string          `json:"project,omitempty"`
	Object         *ObjectRef      `json:"object,omitempty"`
	ReadAt         *time.Time      `json:"read_at,omitempty"`
	Status         string          `json:"status"`
	AcknowledgedAt *time.Time      `json:"acknowledged_at,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	// Format is FormatText for a plain-text body, "" for Markdown.
	Format string `json:"format,omitempty"`
}

// IsRead reports whether the notification was read.
func (n *Notification) IsRead() bool { return n.ReadAt != nil }

// Sort orders of list queries.
const (
	SortNewest = "newest"
	SortOldest = "oldest"
)

// Cursor is a keyset position: the (created_at, id) of the last row seen.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// NotificationFilter selects notifications of one user. Zero fields do not
// filter. Offset is only for the page-numbered in-app API; keyset clients use
// After.
type NotificationFilter struct {
	UserID     string
	UnreadOnly bool
	// ReadOnly keeps only read notifications; with UnreadOnly it is EINVALID.
	ReadOnly  bool
	Type      string
	Level     Level
	Status    string
	ServiceID string
	Project   string
	// Search keeps notifications whose title or body contains it, ignoring
	// the case of ASCII letters (at most MaxSearchLen bytes).
	Search string
	// CreatedBefore keeps notifications created before it (the inbox's jump
	// to a date); zero does not filter.
	CreatedBefore time.Time
	Sort          string // SortNewest (default) or SortOldest
	After         *Cursor
	Limit         int
	Offset        int
}

// MaxSearchLen bounds a notification search: longer text is EINVALID.
const MaxSearchLen = 200

// AckOutcome is the per-id result of a bulk acknowledge.
type AckOutcome string

// Outcomes of a bulk acknowledge.
const (
	AckDone      AckOutcome = "acknowledged"
	AckResponded AckOutcome = "already_responded"
	AckNotFound  AckOutcome = "not_found"
	AckDenied    AckOutcome = "denied"
)

// NotificationStore persists notifications. Methods taking a userID act only
// on that user's rows and return ENOTFOUND (code NOTIFICATION_NOT_FOUND) for a
// row of another user, so ids cannot be probed.
type NotificationStore interface {
	// CreateNotifications durably stores the notifications and the webhook
	// deliveries of one dispatch in one transaction; it returns only once the
	// commit is durable.
	CreateNotifications(ctx context.Context, ns []*Notification, ds []*WebhookDelivery) error
	// QueueNotifications queues the same write, with the e-mails of the
	// outbox too, and returns at once with a
	// function that waits for its durable commit. Queued writes commit in
	// queue order: the dispatcher stamps ids and times and queues under one
	// lock, so rows become visible in (created_at, id) order and a poller
	// walking forward never passes a row that commits later.
	QueueNotifications(ctx context.Context, ns []*Notification, out Outbox) (wait func() error)
	// FindNotification returns a notification of any user (ENOTFOUND if none).
	FindNotification(ctx context.Context, id string) (*Notification, error)
	ListNotifications(ctx context.Context, f NotificationFilter) ([]*Notification, error)
	CountNotifications(ctx context.Context, f NotificationFilter) (int, error)
	UnreadCount(ctx context.Context, userID string) (int, error)
	// MarkRead marks one notification read; changed is false when it already was.
	MarkRead(ctx context.Context, userID, id string) (changed bool, err error)
	MarkAllRead(ctx context.Context, userID string) (int, error)
	// Acknowledge sets a pending notification acknowledged (and read);
	// ECONFLICT with NOTIFICATION_ALREADY_RESPONDED when it was not pending.
	Acknowledge(ctx context.Context, userID, id string) (*Notification, error)
	// AcknowledgeMany acknowledges up to 100 ids in one transaction and
	// reports the outcome of each.
	AcknowledgeMany(ctx context.Context, userID string, ids []string) (map[string]AckOutcome, error)
	DeleteNotification(ctx context.Context, userID, id string) error
	// DeleteRead deletes the user's read notifications and returns how many.
	DeleteRead(ctx context.Context, userID string) (int, error)
	// DeleteNotifications deletes the user's notifications, only those of
	// topic (a ServiceID, "" for none) when topic is not nil, and returns
	// their ids.
	DeleteNotifications(ctx context.Context, userID string, topic *string) ([]string, error)
	// ResolveNotification marks a notification about an alert resolved
	// (Inbox.Resolve); changed is false when it already was, wasUnread
	// whether it was unread before.
	ResolveNotification(ctx context.Context, userID, id string) (changed, wasUnread bool, err error)
}

// WebhookDelivery is one queued delivery of an event to one webhook, written
// in the same transaction as the notification (the durable outbox). Its ID is
// the webhook-id a receiver sees on every attempt.
type WebhookDelivery struct {
	ID             string          `json:"id"`
	WebhookID      string          `json:"webhook_id"`
	NotificationID string          `json:"notification_id,omitempty"`
	Event          string          `json:"event"`
	Payload        json.RawMessage `json:"-"`
	Status         string          `json:"status"`
	Attempts       int             `json:"attempts"`
	NextAttemptAt  time.Time       `json:"next_attempt_at"`
	LastError      string          `json:"last_error,omitempty"`
	ResponseCode   int             `json:"response_code,omitempty"`
	DurationMS     int64           `json:"duration_ms,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
	// QuietExempt is the webhook's Webhook.QuietExempt at routing time:
	// the dispatcher keeps the delivery inside its owner's quiet hours.
	QuietExempt bool `json:"-"`
}
