package db

import (
	"context"
	"time"

	"github.com/belfry/belfry/app"
)

// NumberStore reads the numbers of migration 00008: a stable integer for
// every notification and every token, for protocols whose clients know
// messages and applications by integer ids (Gotify: a message's id is its
// notification's number, its appid the number of the token it was
// published with). A number is given once, in creation order, and never
// again, even after its row is deleted. It is safe for concurrent use.
type NumberStore struct {
	db *DB
}

// NewNumberStore returns a NumberStore on d.
func NewNumberStore(d *DB) *NumberStore { return &NumberStore{db: d} }

// The queries of NumberStore.
const (
	notificationNumberSQL = `SELECT x.number, n.created_at FROM notification_numbers x
		JOIN notifications n ON n.id = x.notification_id WHERE x.notification_id = ?`
	tokenNumberSQL = `SELECT number FROM token_numbers WHERE token_id = ?`
)

// NotificationNumber returns the number of notification id and when the
// notification was created. Errors: ENOTFOUND when there is no such
// notification.
func (s *NumberStore) NotificationNumber(ctx context.Context, id string) (int64, time.Time, error) {
	var n, created int64
	err := s.db.readQueryRow(ctx, notificationNumberSQL, id).Scan(&n, &created)
	if err != nil {
		return 0, time.Time{}, internal(notFound(err, app.CodeNotificationNotFound, "Notification not found."), "notification number")
	}
	return n, fromMillis(created), nil
}

// TokenNumber returns the number of token id. Errors: ENOTFOUND when there
// is no such token.
func (s *NumberStore) TokenNumber(ctx context.Context, id string) (int64, error) {
	var n int64
	err := s.db.readQueryRow(ctx, tokenNumberSQL, id).Scan(&n)
	return n, internal(notFound(err, "", "Token not found."), "token number")
}
