package db

import (
	"context"
	"time"

	"github.com/belfry/belfry/app"
)

// NumberStore reads the numbers of migrations 00008 and 00010: a stable
// integer for every notification, token, topic and user, for protocols
// whose clients know things by integer ids (Gotify: a message's id is its
// notification's number, its appid its topic's, a client's id its token's,
// a user's id the user's). A number is given once, in creation order, and
// never again, even after its row is deleted. It is safe for concurrent
// use.
type NumberStore struct {
	db *DB
}

// NewNumberStore returns a NumberStore on d.
func NewNumberStore(d *DB) *NumberStore { return &NumberStore{db: d} }

// The queries of NumberStore.
const (
	notificationNumberSQL = `SELECT x.number, n.created_at FROM notification_numbers x
		JOIN notifications n ON n.id = x.notification_id WHERE x.notification_id = ?`
	tokenNumberSQL       = `SELECT number FROM token_numbers WHERE token_id = ?`
	tokenOfNumberSQL     = `SELECT token_id FROM token_numbers WHERE number = ?`
	notificationOfNumSQL = `SELECT notification_id FROM notification_numbers WHERE number = ?`
	topicNumberSQL       = `SELECT number FROM topic_numbers WHERE topic = ?`
	userNumberSQL        = `SELECT number FROM user_numbers WHERE user_id = ?`
	userTokenNumbersSQL  = `SELECT x.token_id, x.number FROM token_numbers x JOIN tokens t ON t.id = x.token_id WHERE t.user_id = ?`
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

// TokenOfNumber returns the id of the token numbered n. Errors: ENOTFOUND.
func (s *NumberStore) TokenOfNumber(ctx context.Context, n int64) (string, error) {
	return s.idOf(ctx, tokenOfNumberSQL, n, "", "Token not found.")
}

// NotificationOfNumber returns the id of the notification numbered n, of
// any user. Errors: ENOTFOUND (NOTIFICATION_NOT_FOUND).
func (s *NumberStore) NotificationOfNumber(ctx context.Context, n int64) (string, error) {
	return s.idOf(ctx, notificationOfNumSQL, n, app.CodeNotificationNotFound, "Notification not found.")
}

func (s *NumberStore) idOf(ctx context.Context, query string, n int64, code, msg string) (string, error) {
	var id string
	err := s.db.readQueryRow(ctx, query, n).Scan(&id)
	return id, internal(notFound(err, code, msg), "row of number")
}

// TopicNumber returns the number of topic ("" for notifications without
// one). Errors: ENOTFOUND when the topic was never used: no notification,
// token or route has it.
func (s *NumberStore) TopicNumber(ctx context.Context, topic string) (int64, error) {
	var n int64
	err := s.db.readQueryRow(ctx, topicNumberSQL, topic).Scan(&n)
	return n, internal(notFound(err, "", "Topic not found."), "topic number")
}

// UserNumber returns the number of user id. Errors: ENOTFOUND.
func (s *NumberStore) UserNumber(ctx context.Context, id string) (int64, error) {
	var n int64
	err := s.db.readQueryRow(ctx, userNumberSQL, id).Scan(&n)
	return n, internal(notFound(err, "", "User not found."), "user number")
}

// TokenNumbers returns the numbers of userID's tokens by token id.
func (s *NumberStore) TokenNumbers(ctx context.Context, userID string) (map[string]int64, error) {
	rows, err := s.db.readQuery(ctx, userTokenNumbersSQL, userID)
	if err != nil {
		return nil, internal(err, "token numbers")
	}
	out := map[string]int64{}
	err = eachRow(rows, func() error {
		var id string
		var n int64
		err := rows.Scan(&id, &n)
		out[id] = n
		return err
	})
	return out, internal(err, "token numbers")
}
