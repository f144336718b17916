package app

import "context"

// DispatchResult says what one published event produced.
type DispatchResult struct {
	Notifications []NotificationRef `json:"notifications"`
	Webhooks      int               `json:"webhooks"`
}

// NotificationRef identifies a created notification.
type NotificationRef struct {
	ID     string `json:"id"`
	UserID string `json:"user_id"`
}

// Dispatcher is the one entry of every notification (design.md §3). actor is
// who publishes: without admin rights an event may only name actor itself; a
// nil actor is the system (the weekly report job) and has admin rights.
// Errors: EINVALID for a bad event, EFORBIDDEN for naming other users without
// admin rights, ENOTFOUND for an unknown recipient.
type Dispatcher interface {
	Notify(ctx context.Context, actor *User, ev *Event) (*DispatchResult, error)
}

// WebhookRouter turns a dispatched notification into outbox deliveries for
// the recipient's webhooks. It is the webhook capability's hook into the
// dispatcher; without webhooks it is nil and nothing is queued.
type WebhookRouter interface {
	Deliveries(ctx context.Context, typ NotificationType, n *Notification) ([]*WebhookDelivery, error)
}
