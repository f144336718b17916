package app

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// MaxEmailAddress bounds a user's e-mail address (RFC 5321's path limit).
const MaxEmailAddress = 254

// ValidateEmailAddress returns EINVALID unless addr is one bare address
// (local@domain with a dot in the domain, no display name, no comments);
// "" is valid and means none.
func ValidateEmailAddress(addr string) error {
	if addr == "" {
		return nil
	}
	if len(addr) > MaxEmailAddress {
		return Errorf(EINVALID, "Field email must be at most %d bytes.", MaxEmailAddress)
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr || !strings.Contains(addr[strings.LastIndexByte(addr, '@')+1:], ".") {
		return Errorf(EINVALID, "Field email must be an e-mail address like name@example.org, not %q.", addr)
	}
	return nil
}

// Outbox states of an e-mail: pending until sent, failed when given up (a
// permanent SMTP answer, too many attempts, no address any more); held
// while it waits in a summary (batching), skipped when it was left out of
// its summary because the notification was deleted before it went.
const (
	EmailPending = "pending"
	EmailHeld    = "held"
	EmailSent    = "sent"
	EmailFailed  = "failed"
	EmailSkipped = "skipped"
)

// Kinds of outbox rows: one notification, or the summary of the held ones.
const (
	EmailSingle  = "single"
	EmailSummary = "summary"
)

// EmailBatch is the batching rule a dispatch's transaction applies to a
// new e-mail: beyond Threshold e-mails to its user within Interval, it is
// held for the summary sent at the interval's end. A zero field: the
// e-mail is sent on its own.
type EmailBatch struct {
	Threshold int
	Interval  time.Duration
}

// On reports whether the rule batches.
func (b EmailBatch) On() bool { return b.Threshold > 0 && b.Interval > 0 }

// Email is one row of the e-mail outbox: written by the dispatcher in the
// notification's transaction, sent by the e-mail worker. Payload is the
// snapshot of the notification at dispatch time (JSON), so the message
// does not depend on the notification still existing.
type Email struct {
	ID             string     `json:"id"`
	UserID         string     `json:"user_id"`
	NotificationID string     `json:"notification_id,omitempty"` // "" when the in-app preference is off
	Type           string     `json:"type"`
	Subject        string     `json:"subject"`
	Payload        []byte     `json:"-"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	NextAttemptAt  time.Time  `json:"next_attempt_at"`
	LastError      string     `json:"last_error"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	SentAt         *time.Time `json:"sent_at,omitempty"`
	Kind           string     `json:"kind"`               // EmailSingle or EmailSummary
	BatchID        string     `json:"batch_id,omitempty"` // a held (or batched) e-mail's summary row
	// Batch is the batching rule applied when the row is inserted (not
	// stored).
	Batch EmailBatch `json:"-"`
	// Members are, on a summary being recorded, the held e-mails it
	// carried (not stored).
	Members []string `json:"-"`
}

// EmailRouter turns a dispatched notification into e-mail outbox rows for
// its recipient; stored says whether the notification itself is kept (its
// in-app preference is on), so the e-mail may link to it. Without e-mail
// configured it is nil and nothing is queued.
type EmailRouter interface {
	Emails(ctx context.Context, typ NotificationType, n *Notification, stored bool) ([]*Email, error)
}

// Outbox is what a dispatch queues beside its notifications, in the same
// transaction.
type Outbox struct {
	Webhooks []*WebhookDelivery
	Emails   []*Email
	Pushes   []*Push
	// Held are the notifications quiet hours held back, for the digest.
	Held []*QuietHeld
	// Escalations are the ladders the notifications start (app/escalation).
	Escalations []*Escalation
}

// EmailStore keeps the e-mail outbox and the users' addresses.
type EmailStore interface {
	// SetEmailAddress sets user id's address ("" removes it). ENOTFOUND.
	SetEmailAddress(ctx context.Context, userID, addr string) error
	// ClaimEmails leases up to limit due pending rows, oldest due first,
	// until leaseUntil.
	ClaimEmails(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*Email, error)
	// RecordEmails saves the outcome of attempts (status, attempts, next
	// attempt, error, sent time).
	RecordEmails(ctx context.Context, es []*Email) error
	// NextEmailDue returns the earliest time a pending row is due.
	NextEmailDue(ctx context.Context) (time.Time, bool, error)
	// ListEmails returns userID's latest e-mails ("" every user's), newest
	// first.
	ListEmails(ctx context.Context, userID string, limit int) ([]*Email, error)
	// HeldEmails returns the e-mails held in summary summaryID, oldest
	// first: kept, and those whose notification was deleted since.
	HeldEmails(ctx context.Context, summaryID string) (kept, gone []*Email, err error)
	// CountEmails returns the outbox rows waiting to be sent and those held
	// in summaries.
	CountEmails(ctx context.Context) (pending, held int, err error)
}

// Email reports whether a new notification of typ is sent by e-mail.
func (p Preferences) Email(typ string) bool { return p[typ+"_email"] }
