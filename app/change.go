package app

import "context"

// ChangeKind says what happened to a user's notifications.
type ChangeKind int

// Kinds of change published on the bus.
const (
	ChangeCreated ChangeKind = iota + 1
	ChangeRead
	ChangeAcknowledged
	ChangeDeleted
	ChangeReadAll
	ChangeDeletedRead
)

// Change is one state change of a user's notifications, published after the
// write is durable. The real-time layer turns it into a push.
type Change struct {
	Kind   ChangeKind
	UserID string
	// ID is the notification a change of one notification is about
	// (Created, Read, Acknowledged, Deleted); "" for ReadAll and DeletedRead.
	ID string
	// Notification is the new notification of a ChangeCreated.
	Notification *Notification
	// Toast is the type's toast preference at creation time.
	Toast bool
}

// ChangePublisher receives every change. Publish must not block on slow
// consumers.
type ChangePublisher interface {
	Publish(ctx context.Context, c Change)
}
