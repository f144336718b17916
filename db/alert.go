package db

import (
	"context"
	"database/sql"
	"time"

	"github.com/belfry/belfry/app"
)

var _ app.AlertStore = (*AlertStore)(nil)

// AlertStore implements app.AlertStore on the alert_notifications table.
// It is safe for concurrent use.
type AlertStore struct {
	db *DB
}

// NewAlertStore returns an AlertStore on d.
func NewAlertStore(d *DB) *AlertStore { return &AlertStore{db: d} }

// OpenAlerts implements app.AlertStore.
func (s *AlertStore) OpenAlerts(ctx context.Context, key app.AlertKey) ([]app.OpenAlert, error) {
	rows, err := s.db.readQuery(ctx, `SELECT notification_id, user_id, starts_at FROM alert_notifications
		WHERE publisher_id = ? AND source = ? AND topic = ? AND fingerprint = ? ORDER BY starts_at, notification_id`,
		key.PublisherID, key.Source, key.Topic, key.Fingerprint)
	if err != nil {
		return nil, internal(err, "list open alerts")
	}
	defer rows.Close()
	var out []app.OpenAlert
	for rows.Next() {
		var a app.OpenAlert
		var starts int64
		if err := rows.Scan(&a.NotificationID, &a.UserID, &starts); err != nil {
			return nil, internal(err, "list open alerts")
		}
		a.StartsAt = fromMillis(starts)
		out = append(out, a)
	}
	return out, internal(rows.Err(), "list open alerts")
}

// OpenAlert implements app.AlertStore. A notification deleted meanwhile is
// skipped. Errors: ENOTFOUND when the publisher does not exist.
func (s *AlertStore) OpenAlert(ctx context.Context, key app.AlertKey, startsAt time.Time, refs []app.NotificationRef) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		if err := closeAlert(tx, key); err != nil {
			return err
		}
		for _, r := range refs {
			_, err := tx.Exec(`INSERT INTO alert_notifications
				(publisher_id, source, topic, fingerprint, notification_id, user_id, starts_at)
				SELECT ?, ?, ?, ?, id, user_id, ? FROM notifications WHERE id = ? AND user_id = ?`,
				key.PublisherID, key.Source, key.Topic, key.Fingerprint, millis(startsAt), r.ID, r.UserID)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if isForeignKeyViolation(err) {
		return app.Errorf(app.ENOTFOUND, "User not found.")
	}
	return internal(err, "record open alert")
}

// CloseAlert implements app.AlertStore.
func (s *AlertStore) CloseAlert(ctx context.Context, key app.AlertKey) error {
	return internal(s.db.Write(ctx, func(tx *sql.Tx) error { return closeAlert(tx, key) }), "close alert")
}

func closeAlert(tx *sql.Tx, key app.AlertKey) error {
	_, err := tx.Exec(`DELETE FROM alert_notifications WHERE publisher_id = ? AND source = ? AND topic = ? AND fingerprint = ?`,
		key.PublisherID, key.Source, key.Topic, key.Fingerprint)
	return err
}
