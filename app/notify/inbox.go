package notify

import (
	"context"

	"github.com/belfry/belfry/app"
)

// Inbox implements app.Inbox over a store: each method makes the change and,
// once it is durable, publishes it. It is also the retention job's
// app.Pruner, so that notifications pruned for age are announced too. It is
// safe for concurrent use.
type Inbox struct {
	store   app.NotificationStore
	pruner  app.Pruner
	changes app.ChangePublisher
}

var (
	_ app.Inbox  = (*Inbox)(nil)
	_ app.Pruner = (*Inbox)(nil)
)

// NewInbox returns the inbox of store and pruner, announcing on changes.
func NewInbox(store app.NotificationStore, pruner app.Pruner, changes app.ChangePublisher) *Inbox {
	return &Inbox{store: store, pruner: pruner, changes: changes}
}

func (x *Inbox) announce(ctx context.Context, kind app.ChangeKind, userID, id string) {
	x.changes.Publish(ctx, app.Change{Kind: kind, UserID: userID, ID: id})
}

// MarkRead implements app.Inbox.
func (x *Inbox) MarkRead(ctx context.Context, userID, id string) error {
	changed, err := x.store.MarkRead(ctx, userID, id)
	if err == nil && changed {
		x.announce(ctx, app.ChangeRead, userID, id)
	}
	return err
}

// MarkAllRead implements app.Inbox.
func (x *Inbox) MarkAllRead(ctx context.Context, userID string) (int, error) {
	n, err := x.store.MarkAllRead(ctx, userID)
	if err == nil && n > 0 {
		x.announce(ctx, app.ChangeReadAll, userID, "")
	}
	return n, err
}

// Delete implements app.Inbox.
func (x *Inbox) Delete(ctx context.Context, userID, id string) error {
	err := x.store.DeleteNotification(ctx, userID, id)
	if err == nil {
		x.announce(ctx, app.ChangeDeleted, userID, id)
	}
	return err
}

// DeleteRead implements app.Inbox.
func (x *Inbox) DeleteRead(ctx context.Context, userID string) (int, error) {
	n, err := x.store.DeleteRead(ctx, userID)
	if err == nil && n > 0 {
		x.announce(ctx, app.ChangeDeletedRead, userID, "")
	}
	return n, err
}

// DeleteAll implements app.Inbox.
func (x *Inbox) DeleteAll(ctx context.Context, userID string, topic *string) (int, error) {
	ids, err := x.store.DeleteNotifications(ctx, userID, topic)
	for _, id := range ids {
		x.announce(ctx, app.ChangeDeleted, userID, id)
	}
	return len(ids), err
}

// Acknowledge implements app.Inbox.
func (x *Inbox) Acknowledge(ctx context.Context, userID, id string) (*app.Notification, error) {
	n, err := x.store.Acknowledge(ctx, userID, id)
	if err == nil {
		x.announce(ctx, app.ChangeAcknowledged, userID, id)
	}
	return n, err
}

// AcknowledgeMany implements app.Inbox: one change per acknowledged id.
func (x *Inbox) AcknowledgeMany(ctx context.Context, userID string, ids []string) (map[string]app.AckOutcome, error) {
	if len(ids) > app.MaxAcknowledgeMany {
		return nil, app.Errorf(app.EINVALID, "At most %d notifications can be acknowledged at once.", app.MaxAcknowledgeMany)
	}
	out, err := x.store.AcknowledgeMany(ctx, userID, ids)
	if err != nil {
		return nil, err
	}
	announced := make(map[string]bool, len(ids))
	for _, id := range ids {
		if out[id] == app.AckDone && !announced[id] {
			announced[id] = true
			x.announce(ctx, app.ChangeAcknowledged, userID, id)
		}
	}
	return out, nil
}

// Prune implements app.Pruner: it prunes what rules allow and announces a
// ChangeDeleted to each user whose notifications went, so that open badges
// and lists refresh. A dry run announces nothing.
func (x *Inbox) Prune(ctx context.Context, rules app.PruneRules, dryRun bool) (app.PruneCounts, error) {
	c, err := x.pruner.Prune(ctx, rules, dryRun)
	if !dryRun {
		for _, u := range c.Users {
			x.announce(ctx, app.ChangeDeleted, u, "")
		}
	}
	return c, err
}

// Resolve implements app.Inbox: a notification that was unread is
// announced as read.
func (x *Inbox) Resolve(ctx context.Context, userID, id string) error {
	changed, wasUnread, err := x.store.ResolveNotification(ctx, userID, id)
	if err == nil && changed && wasUnread {
		x.announce(ctx, app.ChangeRead, userID, id)
	}
	return err
}
