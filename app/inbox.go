package app

import "context"

// DispatchResult says what one published event produced.
type DispatchResult struct {
	Notifications []NotificationRef `json:"notifications"`
	Webhooks      int               `json:"webhooks"`
	Emails        int               `json:"-"` // e-mails queued
	Pushes        int               `json:"-"` // pushes queued (before the fan-out to devices)
}

// NotificationRef identifies a created notification.
type NotificationRef struct {
	ID     string `json:"id"`
	UserID string `json:"user_id"`
}

// Dispatcher is the one entry of every notification (docs/architecture.md). actor is
// who publishes: without admin rights an event may only name actor itself; a
// nil actor is the system (the weekly report job) and has admin rights.
// Errors: EINVALID for a bad event, EFORBIDDEN for naming other users without
// admin rights, ENOTFOUND for an unknown recipient.
type Dispatcher interface {
	Notify(ctx context.Context, actor *User, ev *Event) (*DispatchResult, error)
}

// Inbox changes the state of a user's existing notifications — read,
// acknowledged, deleted — and announces every change that happened on the
// ChangePublisher, after the write is durable and exactly once. Together
// with the Dispatcher, which creates notifications, it is the only way
// notifications change: every transport (JSON API, UI, polling, sockets)
// writes through it and reads from the NotificationStore.
//
// Methods act only on userID's notifications: another user's id behaves as
// a missing one, ENOTFOUND with code NOTIFICATION_NOT_FOUND.
type Inbox interface {
	// MarkRead marks one notification read; reading a read one again is no
	// change and announces nothing.
	MarkRead(ctx context.Context, userID, id string) error
	// MarkAllRead marks every unread notification read and returns how many.
	MarkAllRead(ctx context.Context, userID string) (int, error)
	// Delete deletes one notification.
	Delete(ctx context.Context, userID, id string) error
	// DeleteRead deletes the read notifications and returns how many.
	DeleteRead(ctx context.Context, userID string) (int, error)
	// DeleteAll deletes every notification, or only those of topic (a
	// ServiceID, "" for none) when topic is not nil, and returns how many;
	// each is announced as deleted, one by one.
	DeleteAll(ctx context.Context, userID string, topic *string) (int, error)
	// Acknowledge sets a pending notification acknowledged (and read) and
	// returns it; ECONFLICT with NOTIFICATION_ALREADY_RESPONDED when it was
	// not pending.
	Acknowledge(ctx context.Context, userID, id string) (*Notification, error)
	// AcknowledgeMany acknowledges up to MaxAcknowledgeMany distinct ids in
	// one transaction and reports the outcome of each (AckDenied for
	// another user's); EINVALID for more ids.
	AcknowledgeMany(ctx context.Context, userID string, ids []string) (map[string]AckOutcome, error)
	// Resolve marks a notification about an alert resolved: read, titled
	// ResolvedTitle, with data.status "resolved" and data.resolved_at.
	// Resolving a resolved one is no change and announces nothing.
	Resolve(ctx context.Context, userID, id string) error
}

// MaxAcknowledgeMany bounds one bulk acknowledge.
const MaxAcknowledgeMany = 100

// WebhookRouter turns a dispatched notification into outbox deliveries for
// the recipient's webhooks. It is the webhook capability's hook into the
// dispatcher; without webhooks it is nil and nothing is queued.
type WebhookRouter interface {
	Deliveries(ctx context.Context, typ NotificationType, n *Notification) ([]*WebhookDelivery, error)
}
