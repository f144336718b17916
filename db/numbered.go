package db

import (
	"context"
	"regexp"

	"github.com/belfry/belfry/app"
)

// numberedColumns is notificationColumns of the notifications n of a join.
var numberedColumns = regexp.MustCompile(`(\w+)`).ReplaceAllString(notificationColumns, "n.$1")

// The queries of the numbered views. Topics are numbered by the same
// COALESCE the trigger of migration 00010 uses.
const (
	numberedJoin = ` FROM notification_numbers x
		JOIN notifications n ON n.id = x.notification_id
		JOIN topic_numbers t ON t.topic = COALESCE(n.service_id, '')`
	// numberedFrom walks the index notification_numbers_user.
	numberedFrom  = numberedJoin + ` WHERE x.user_id = ?`
	userTopicsSQL = `SELECT number, topic, created_at FROM topic_numbers WHERE topic IN (
			SELECT COALESCE(service_id, '') FROM notifications WHERE user_id = ?1
			UNION SELECT name FROM tokens WHERE user_id = ?1 AND name <> '' AND scope IN ('publish', 'admin')
			UNION SELECT topic FROM topic_routes WHERE user_id = ?1)
		ORDER BY number`
)

// ListNumbered returns the page of f: f.UserID's notifications with their
// numbers and their topics' numbers, highest number (newest) first, never
// nil.
func (s *NumberStore) ListNumbered(ctx context.Context, f app.NumberedFilter) ([]*app.NumberedNotification, error) {
	q := `SELECT ` + numberedColumns + `, x.number, t.number` + numberedFrom
	args := []any{f.UserID}
	if f.Before > 0 {
		q += ` AND x.number < ?`
		args = append(args, f.Before)
	}
	if f.Topic != nil {
		q += ` AND COALESCE(n.service_id, '') = ?`
		args = append(args, *f.Topic)
	}
	q += ` ORDER BY x.number DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.db.readQuery(ctx, q, args...)
	if err != nil {
		return nil, internal(err, "list numbered notifications")
	}
	out := []*app.NumberedNotification{}
	err = eachRow(rows, func() error {
		var nn app.NumberedNotification
		n, err := scanNotification(withExtra{rows, []any{&nn.Number, &nn.TopicNumber}})
		nn.Notification = n
		if err == nil {
			out = append(out, &nn)
		}
		return err
	})
	return out, internal(err, "list numbered notifications")
}

// UserTopics returns the topics userID's notifications come from: those
// of the notifications they have, the names of their publish and admin
// tokens (their Gotify applications, before the first message) and the
// topics routed to them; in number order.
func (s *NumberStore) UserTopics(ctx context.Context, userID string) ([]app.Topic, error) {
	rows, err := s.db.readQuery(ctx, userTopicsSQL, userID)
	if err != nil {
		return nil, internal(err, "user topics")
	}
	out := []app.Topic{}
	err = eachRow(rows, func() error {
		var t app.Topic
		var created int64
		err := rows.Scan(&t.Number, &t.Name, &created)
		t.CreatedAt = fromMillis(created)
		out = append(out, t)
		return err
	})
	return out, internal(err, "user topics")
}

// TopicOfNumber returns the topic numbered n. Errors: ENOTFOUND.
func (s *NumberStore) TopicOfNumber(ctx context.Context, n int64) (app.Topic, error) {
	t := app.Topic{Number: n}
	var created int64
	err := s.db.readQueryRow(ctx, `SELECT topic, created_at FROM topic_numbers WHERE number = ?`, n).Scan(&t.Name, &created)
	t.CreatedAt = fromMillis(created)
	return t, internal(notFound(err, "", "Application not found."), "topic of number")
}

// withExtra scans a row whose columns after the ones scanned for go into
// extra.
type withExtra struct {
	r     rowScanner
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.r.Scan(append(dest, w.extra...)...) }

// Numbered returns the number of notification id and its topic's.
// Errors: ENOTFOUND (NOTIFICATION_NOT_FOUND).
func (s *NumberStore) Numbered(ctx context.Context, id string) (number, topic int64, err error) {
	err = s.db.readQueryRow(ctx, `SELECT x.number, t.number`+numberedJoin+` WHERE n.id = ?`, id).Scan(&number, &topic)
	return number, topic, internal(notFound(err, app.CodeNotificationNotFound, "Notification not found."), "numbered notification")
}
