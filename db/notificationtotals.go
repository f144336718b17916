package db

import (
	"context"
	"strings"

	"github.com/belfry/belfry/app"
)

// NotificationTotals counts notifications from the notification_totals
// table of migration 00002, which triggers keep exact: a count by user,
// status, service_id and project sums a few rows, however many
// notifications the user has. It is safe for concurrent use.
type NotificationTotals struct {
	db    *DB
	store *NotificationStore
}

// NewNotificationTotals returns a NotificationTotals on d.
func NewNotificationTotals(d *DB) *NotificationTotals {
	return &NotificationTotals{db: d, store: NewNotificationStore(d)}
}

// CountNotifications counts what f selects, ignoring its page (Limit,
// Offset, After, Sort), like NotificationStore.CountNotifications, whose
// index count it falls back to for filters the totals do not cover (Type,
// UnreadOnly). Errors: EINVALID for a filter without user or with an
// unknown status.
func (t *NotificationTotals) CountNotifications(ctx context.Context, f app.NotificationFilter) (int, error) {
	if f.Type != "" || f.UnreadOnly {
		return t.store.CountNotifications(ctx, f)
	}
	if f.UserID == "" {
		return 0, app.Errorf(app.EINVALID, "A notification query needs a user.")
	}
	if f.Status != "" && f.Status != app.StatusPending && f.Status != app.StatusAcknowledged {
		return 0, app.Errorf(app.EINVALID, "Status must be %s or %s, not %q.", app.StatusPending, app.StatusAcknowledged, f.Status)
	}
	conds, args := []string{"user_id = ?"}, []any{f.UserID}
	for _, c := range []struct{ col, val string }{{"status", f.Status}, {"service_id", f.ServiceID}, {"project", f.Project}} {
		if c.val != "" {
			conds = append(conds, c.col+" = ?")
			args = append(args, c.val)
		}
	}
	var n int
	err := t.db.readQueryRow(ctx, `SELECT COALESCE(SUM(n), 0) FROM notification_totals WHERE `+
		strings.Join(conds, " AND "), args...).Scan(&n)
	return n, internal(err, "count notifications")
}
