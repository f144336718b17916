package db

import (
	"context"
	"database/sql"
	"time"

	"github.com/belfry/belfry/app"
)

// ResolveNotification marks userID's notification id resolved, the way an
// alert's resolution shows in the inbox: read (keeping an earlier read
// time), titled app.ResolvedTitle, with data.status "resolved" and
// data.resolved_at the time now. changed is false when it was resolved
// already; wasUnread tells whether it was unread before. Errors: ENOTFOUND
// (NOTIFICATION_NOT_FOUND).
func (s *NotificationStore) ResolveNotification(ctx context.Context, userID, id string) (changed, wasUnread bool, err error) {
	now := s.db.Now()
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		var title string
		var unread, resolved bool
		err := tx.QueryRow(`SELECT title, read_at IS NULL, json_extract(data, '$.resolved_at') IS NOT NULL
			FROM notifications WHERE id = ? AND user_id = ?`, id, userID).Scan(&title, &unread, &resolved)
		if err != nil {
			return notFound(err, app.CodeNotificationNotFound, "Notification not found.")
		}
		if resolved {
			return nil
		}
		_, err = tx.Exec(`UPDATE notifications SET title = ?, read_at = COALESCE(read_at, ?),
			data = json_set(data, '$.status', 'resolved', '$.resolved_at', ?) WHERE id = ? AND user_id = ?`,
			app.ResolvedTitle(title), millis(now), now.UTC().Format(time.RFC3339), id, userID)
		changed, wasUnread = err == nil, unread
		return err
	})
	return changed, wasUnread, internal(err, "resolve notification")
}
