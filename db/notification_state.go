package db

import (
	"context"
	"database/sql"
	"errors"

	"github.com/belfry/belfry/app"
)

// The state changes of a notification: read, acknowledged, deleted.

// MarkRead marks userID's notification id read; changed is false when it
// already was. Errors: ENOTFOUND (NOTIFICATION_NOT_FOUND).
func (s *NotificationStore) MarkRead(ctx context.Context, userID, id string) (changed bool, err error) {
	now := millis(s.db.Now())
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL`, now, id, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			changed = true
			return nil
		}
		return ownNotificationExists(tx, userID, id)
	})
	return changed, internal(err, "mark notification read")
}

// ownNotificationExists returns ENOTFOUND unless userID owns notification id.
func ownNotificationExists(tx *sql.Tx, userID, id string) error {
	var one int
	err := tx.QueryRow(`SELECT 1 FROM notifications WHERE id = ? AND user_id = ?`, id, userID).Scan(&one)
	return notFound(err, app.CodeNotificationNotFound, "Notification not found.")
}

// MarkAllRead marks every unread notification of userID read and returns
// how many changed.
func (s *NotificationStore) MarkAllRead(ctx context.Context, userID string) (int, error) {
	now := millis(s.db.Now())
	n, err := writeCount(ctx, s.db, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, now, userID)
	return n, internal(err, "mark all notifications read")
}

// Acknowledge sets userID's pending notification id acknowledged and read
// (keeping an earlier read time) and returns the updated row. Errors:
// ENOTFOUND (NOTIFICATION_NOT_FOUND); ECONFLICT
// (NOTIFICATION_ALREADY_RESPONDED) when it was already acknowledged.
func (s *NotificationStore) Acknowledge(ctx context.Context, userID, id string) (*app.Notification, error) {
	now := millis(s.db.Now())
	var n *app.Notification
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRow(`UPDATE notifications
			SET status = 'acknowledged', acknowledged_at = ?, read_at = COALESCE(read_at, ?)
			WHERE id = ? AND user_id = ? AND status = 'pending'
			RETURNING `+notificationColumns, now, now, id, userID)
		var err error
		if n, err = scanNotification(row); err == nil || !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := ownNotificationExists(tx, userID, id); err != nil {
			return err
		}
		return alreadyResponded()
	})
	if err != nil {
		return nil, internal(err, "acknowledge notification")
	}
	return n, nil
}

func alreadyResponded() error {
	return &app.Error{Kind: app.ECONFLICT, Code: app.CodeNotificationResponded, Message: "Notification has already been acknowledged."}
}

// AcknowledgeMany acknowledges userID's notifications among ids in one
// transaction and reports each id's outcome: AckDone, AckResponded,
// AckNotFound, or AckDenied for another user's notification (the polling
// API answers that with 403, so it reveals existence). The inbox bounds
// how many ids one call may carry (app.MaxAcknowledgeMany).
func (s *NotificationStore) AcknowledgeMany(ctx context.Context, userID string, ids []string) (map[string]app.AckOutcome, error) {
	out := make(map[string]app.AckOutcome, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	now := millis(s.db.Now())
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		clear(out)
		pending, err := ackOutcomes(tx, userID, ids, out)
		if err != nil || len(pending) == 0 {
			return err
		}
		args := append([]any{now, now, userID}, pending...)
		_, err = tx.Exec(`UPDATE notifications
			SET status = 'acknowledged', acknowledged_at = ?, read_at = COALESCE(read_at, ?)
			WHERE user_id = ? AND status = 'pending' AND id IN (`+placeholders(len(pending))+`)`, args...)
		return err
	})
	if err != nil {
		return nil, internal(err, "acknowledge notifications")
	}
	return out, nil
}

// ackOutcomes fills out with the outcome of every id and returns the ids of
// userID's pending notifications, which the caller then acknowledges.
func ackOutcomes(tx *sql.Tx, userID string, ids []string, out map[string]app.AckOutcome) ([]any, error) {
	for _, id := range ids {
		out[id] = app.AckNotFound
	}
	rows, err := tx.Query(`SELECT id, user_id, status FROM notifications WHERE id IN (`+placeholders(len(ids))+`)`, anySlice(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var pending []any
	for rows.Next() {
		var id, owner, status string
		if err := rows.Scan(&id, &owner, &status); err != nil {
			return nil, err
		}
		switch {
		case owner != userID:
			out[id] = app.AckDenied
		case status != app.StatusPending:
			out[id] = app.AckResponded
		default:
			out[id] = app.AckDone
			pending = append(pending, id)
		}
	}
	return pending, rows.Err()
}

// DeleteNotification deletes userID's notification id. Errors: ENOTFOUND
// (NOTIFICATION_NOT_FOUND).
func (s *NotificationStore) DeleteNotification(ctx context.Context, userID, id string) error {
	n, err := writeCount(ctx, s.db, `DELETE FROM notifications WHERE id = ? AND user_id = ?`, id, userID)
	if err == nil && n == 0 {
		return notificationNotFound()
	}
	return internal(err, "delete notification")
}

// DeleteRead deletes userID's read notifications and returns how many.
func (s *NotificationStore) DeleteRead(ctx context.Context, userID string) (int, error) {
	n, err := writeCount(ctx, s.db, `DELETE FROM notifications WHERE user_id = ? AND read_at IS NOT NULL`, userID)
	return n, internal(err, "delete read notifications")
}

// DeleteNotifications deletes userID's notifications — only those of topic
// when topic is not nil ("" for those without one) — and returns their ids.
func (s *NotificationStore) DeleteNotifications(ctx context.Context, userID string, topic *string) ([]string, error) {
	q := `DELETE FROM notifications WHERE user_id = ?`
	args := []any{userID}
	if topic != nil {
		q += ` AND COALESCE(service_id, '') = ?`
		args = append(args, *topic)
	}
	var ids []string
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.Query(q+` RETURNING id`, args...)
		if err != nil {
			return err
		}
		return eachRow(rows, func() error {
			var id string
			err := rows.Scan(&id)
			ids = append(ids, id)
			return err
		})
	})
	return ids, internal(err, "delete notifications")
}
