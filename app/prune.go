package app

import (
	"context"
	"time"
)

// PruneRules say what one pruning pass deletes. A zero time or count turns
// its rule off.
type PruneRules struct {
	// ReadBefore: read notifications created before it.
	ReadBefore time.Time
	// KeepPerUser: a user's notifications beyond the newest KeepPerUser,
	// read or not.
	KeepPerUser int
	// DeliveriesBefore: delivered and failed webhook deliveries last
	// updated before it (pending ones are never pruned).
	DeliveriesBefore time.Time
	// EmailsBefore: sent, failed and skipped e-mails last updated before
	// it (pending and held ones are never pruned).
	EmailsBefore time.Time
	// MessagesBefore: channel messages posted before it.
	MessagesBefore time.Time
	// Expired: sessions and object mutes that expired at or before it.
	Expired time.Time
}

// PruneCounts is what a pruning pass deleted, or would delete in a dry run.
type PruneCounts struct {
	ReadNotifications   int
	ExcessNotifications int
	WebhookDeliveries   int
	Emails              int
	ChannelMessages     int
	Sessions            int
	Mutes               int
	// Users whose notifications were deleted (not filled by a dry run), so
	// that their live views can be refreshed.
	Users []string
}

// Total is the number of rows of every kind.
func (c PruneCounts) Total() int {
	return c.ReadNotifications + c.ExcessNotifications + c.WebhookDeliveries + c.Emails + c.ChannelMessages + c.Sessions + c.Mutes
}

// Pruner deletes what rules allow; with dryRun it only counts. Counting and
// deleting use the same conditions, so a dry run followed by a real one at
// the same rules reports the same counts when nothing changed in between.
type Pruner interface {
	Prune(ctx context.Context, rules PruneRules, dryRun bool) (PruneCounts, error)
}

// PruneRules returns the rules of the retention settings at now; finished
// webhook deliveries are kept for deliveries (webhooks.retention), finished
// e-mails for emails (email.retention).
func (r RetentionConfig) PruneRules(now time.Time, deliveries, emails time.Duration) PruneRules {
	before := func(d time.Duration) time.Time {
		if d <= 0 {
			return time.Time{}
		}
		return now.Add(-d)
	}
	return PruneRules{
		ReadBefore:       before(r.ReadNotifications.Duration),
		KeepPerUser:      r.MaxPerUser,
		DeliveriesBefore: before(deliveries),
		EmailsBefore:     before(emails),
		MessagesBefore:   before(r.ChannelMessages.Duration),
		Expired:          now,
	}
}
