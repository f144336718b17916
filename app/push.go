package app

import (
	"context"
	"time"
)

// Push kinds: what a push asks the service worker to do.
const (
	PushNotify  = "notify"  // show one notification
	PushSummary = "summary" // show "N new notifications" in place of a flood
	PushClear   = "clear"   // close the notification with the push's tag
	PushTest    = "test"    // show a test notification
)

// Outbox states of a push: pending until sent, failed when given up,
// merged when a summary push carried it instead.
const (
	PushPending = "pending"
	PushSent    = "sent"
	PushFailed  = "failed"
	PushMerged  = "merged"
)

// PushSubscription is one device of a user: the browser's push endpoint and
// the keys that encrypt payloads for it (RFC 8291), both as the browser's
// PushSubscription.toJSON() gives them (base64url).
type PushSubscription struct {
	ID            string     `json:"id"`
	UserID        string     `json:"-"`
	Endpoint      string     `json:"endpoint"`
	Host          string     `json:"-"` // the endpoint's host: the worker's lane
	P256dh        string     `json:"-"`
	Auth          string     `json:"-"`
	Name          string     `json:"name"`
	CreatedAt     time.Time  `json:"created_at"`
	LastSuccessAt *time.Time `json:"last_success_at"`
	LastError     string     `json:"last_error"`
}

// Push is one row of the push outbox. A dispatch queues one per recipient
// with SubscriptionID "" and the store fans it out to each of the
// recipient's subscriptions inside the same transaction; a push queued
// later (clear, test) may name one subscription. Payload is the JSON the
// service worker receives, without the badge count, which the worker adds
// when it sends.
type Push struct {
	ID             string
	SubscriptionID string
	UserID         string
	NotificationID string
	Kind           string
	Payload        []byte
	Urgency        string
	Topic          string
	TTL            time.Duration
	Status         string
	Attempts       int
	NextAttemptAt  time.Time
	LastError      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	SentAt         *time.Time
}

// PushClaim is a leased push with the subscription it goes to (always one
// of the push's own user).
type PushClaim struct {
	Push         *Push
	Subscription *PushSubscription
	// Merged are pushes the worker folded into this one (a summary); their
	// outcome is recorded with it.
	Merged []*Push
}

// PushRouter turns a dispatched notification into push outbox rows for its
// recipient; stored says whether the notification itself is kept. Without
// push it is nil and nothing is queued.
type PushRouter interface {
	Pushes(ctx context.Context, typ NotificationType, n *Notification, stored bool) ([]*Push, error)
}

// PushStore keeps the VAPID key pair's owner, the users' subscriptions and
// the push outbox.
type PushStore interface {
	// SaveSubscription stores sub for its user, keyed by endpoint: the same
	// endpoint of the same user gets the new keys and name (created false);
	// an endpoint another user registered before moves to sub's user, and
	// the other user's pending pushes to it are dropped.
	SaveSubscription(ctx context.Context, sub *PushSubscription) (created bool, err error)
	// ListSubscriptions returns userID's subscriptions, oldest first.
	ListSubscriptions(ctx context.Context, userID string) ([]*PushSubscription, error)
	// DeleteSubscription removes userID's subscription id. ENOTFOUND when
	// userID has none with that id.
	DeleteSubscription(ctx context.Context, userID, id string) error
	// QueuePushes writes pushes outside a dispatch, fanned out like a
	// dispatch's; it returns how many rows it wrote.
	QueuePushes(ctx context.Context, ps []*Push) (int, error)
	// ClaimPushes leases due pending pushes until leaseUntil: at most
	// perHost for each endpoint host, at most hosts hosts, none for the
	// hosts in busy.
	ClaimPushes(ctx context.Context, now, leaseUntil time.Time, hosts, perHost int, busy []string) ([]*PushClaim, error)
	// RecordPushes saves the outcome of attempts.
	RecordPushes(ctx context.Context, ps []*Push) error
	// RecordDelivery notes the outcome of the latest push to subscription
	// id: a success time, or the error.
	RecordDelivery(ctx context.Context, id string, success *time.Time, lastError string) error
	// RemoveSubscription deletes subscription id, whoever owns it (the push
	// service said it is gone), with its pending pushes.
	RemoveSubscription(ctx context.Context, id string) error
	// NextPushDue returns the earliest time a pending push to a host not
	// in skip is due.
	NextPushDue(ctx context.Context, skip []string) (time.Time, bool, error)
}

// Push reports whether a new notification of typ is pushed to the user's
// devices.
func (p Preferences) Push(typ string) bool { return p[typ+"_push"] }
