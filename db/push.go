package db

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/belfry/belfry/app"
)

var _ app.PushStore = (*PushStore)(nil)

// PushStore implements app.PushStore: the users' push subscriptions and the
// push outbox (rows inserted by a dispatch in insertPushes, leased by
// ClaimPushes, settled by RecordPushes). It is safe for concurrent use.
type PushStore struct {
	db *DB
}

// NewPushStore returns a PushStore on d.
func NewPushStore(d *DB) *PushStore { return &PushStore{db: d} }

// vapidKeyName is the server_keys row of the VAPID private key.
const vapidKeyName = "push_vapid_p256"

// VAPIDKey returns the server's VAPID private key (P-256), made at the
// first call on a fresh database and kept there, so a backup and restore
// keeps every device's subscription working.
func VAPIDKey(ctx context.Context, d *DB) (*ecdh.PrivateKey, error) {
	raw, err := serverKeyMade(ctx, d, vapidKeyName, func() ([]byte, error) {
		k, err := ecdh.P256().GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return k.Bytes(), nil
	})
	if err != nil {
		return nil, err
	}
	return ecdh.P256().NewPrivateKey(raw)
}

const subscriptionColumns = `id, user_id, endpoint, host, p256dh, auth, name, created_at, last_success_at, last_error`

func scanSubscription(r rowScanner) (*app.PushSubscription, error) {
	var s app.PushSubscription
	var created int64
	var success sql.NullInt64
	if err := r.Scan(&s.ID, &s.UserID, &s.Endpoint, &s.Host, &s.P256dh, &s.Auth, &s.Name, &created, &success, &s.LastError); err != nil {
		return nil, err
	}
	s.CreatedAt, s.LastSuccessAt = fromMillis(created), timePtr(success)
	return &s, nil
}

// SaveSubscription stores sub keyed by its endpoint (see app.PushStore).
func (s *PushStore) SaveSubscription(ctx context.Context, sub *app.PushSubscription) (bool, error) {
	created := false
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		old, err := scanSubscription(tx.QueryRow(`SELECT `+subscriptionColumns+` FROM push_subscriptions WHERE endpoint = ?`, sub.Endpoint))
		switch {
		case err == nil && old.UserID == sub.UserID:
			_, err = tx.Exec(`UPDATE push_subscriptions SET p256dh = ?, auth = ?, name = ?, last_error = '' WHERE id = ?`,
				sub.P256dh, sub.Auth, sub.Name, old.ID)
			sub.ID, sub.CreatedAt, sub.LastSuccessAt = old.ID, old.CreatedAt, old.LastSuccessAt
			return err
		case err == nil: // the device changed hands: the old owner's pushes go with it
			if _, err := tx.Exec(`DELETE FROM push_subscriptions WHERE id = ?`, old.ID); err != nil {
				return err
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		sub.ID, sub.CreatedAt, created = newID(), msTime(sub.CreatedAt), true
		_, err = tx.Exec(`INSERT INTO push_subscriptions (`+subscriptionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, '')`,
			sub.ID, sub.UserID, sub.Endpoint, sub.Host, sub.P256dh, sub.Auth, sub.Name, millis(sub.CreatedAt))
		return err
	})
	if isForeignKeyViolation(err) {
		return false, app.Errorf(app.ENOTFOUND, "User not found.")
	}
	return created, internal(err, "save push subscription")
}

// ListSubscriptions returns userID's subscriptions, oldest first.
func (s *PushStore) ListSubscriptions(ctx context.Context, userID string) ([]*app.PushSubscription, error) {
	rows, err := s.db.readQuery(ctx, `SELECT `+subscriptionColumns+` FROM push_subscriptions WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, internal(err, "list push subscriptions")
	}
	out := []*app.PushSubscription{}
	err = eachRow(rows, func() error {
		sub, err := scanSubscription(rows)
		if err == nil {
			out = append(out, sub)
		}
		return err
	})
	return out, internal(err, "list push subscriptions")
}

// DeleteSubscription removes userID's subscription id (ENOTFOUND when
// userID has none with that id, also when another user has).
func (s *PushStore) DeleteSubscription(ctx context.Context, userID, id string) error {
	n, err := writeCount(ctx, s.db, `DELETE FROM push_subscriptions WHERE id = ? AND user_id = ?`, id, userID)
	if err == nil && n == 0 {
		return app.Errorf(app.ENOTFOUND, "Device not found.")
	}
	return internal(err, "delete push subscription")
}

// RemoveSubscription deletes subscription id, with its pending pushes.
func (s *PushStore) RemoveSubscription(ctx context.Context, id string) error {
	_, err := writeCount(ctx, s.db, `DELETE FROM push_subscriptions WHERE id = ?`, id)
	return internal(err, "remove push subscription")
}

// RecordDelivery notes the latest outcome of a push to subscription id.
func (s *PushStore) RecordDelivery(ctx context.Context, id string, success *time.Time, lastError string) error {
	_, err := writeCount(ctx, s.db, `UPDATE push_subscriptions SET last_success_at = COALESCE(?, last_success_at), last_error = ?
		WHERE id = ?`, nullMillis(success), lastError, id)
	return internal(err, "record push delivery")
}

// insertPushSQL fans one push out to the subscriptions of its user (all of
// them, or the one it names). The row's user is the subscription's.
const insertPushSQL = `INSERT INTO push_outbox (id, subscription_id, user_id, notification_id, kind, payload, urgency, topic,
	ttl_ms, status, attempts, next_attempt_at, last_error, created_at, updated_at)
	SELECT ? || '.' || s.id, s.id, s.user_id, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, '', ?, ?
	FROM push_subscriptions s WHERE s.user_id = ? AND (? = '' OR s.id = ?)`

// insertPushes writes the pushes of a dispatch inside tx and returns how
// many rows the fan-out made.
func insertPushes(tx *sql.Tx, ps []*app.Push) (int, error) {
	if len(ps) == 0 {
		return 0, nil
	}
	stmt, err := tx.Prepare(insertPushSQL)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	total := 0
	for _, p := range ps {
		if p.ID == "" {
			p.ID = newID()
		}
		created := millis(p.CreatedAt)
		res, err := stmt.Exec(p.ID, nullString(p.NotificationID), p.Kind, string(p.Payload), p.Urgency, p.Topic,
			p.TTL.Milliseconds(), millis(p.NextAttemptAt), created, created, p.UserID, p.SubscriptionID, p.SubscriptionID)
		if err != nil {
			return 0, fmt.Errorf("insert push: %w", err)
		}
		n, _ := res.RowsAffected()
		total += int(n)
	}
	return total, nil
}

// QueuePushes writes pushes outside a dispatch.
func (s *PushStore) QueuePushes(ctx context.Context, ps []*app.Push) (int, error) {
	var n int
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = insertPushes(tx, ps)
		return err
	})
	return n, internal(err, "queue pushes")
}

const claimColumns = `o.id, o.subscription_id, o.user_id, o.notification_id, o.kind, o.payload, o.urgency, o.topic, o.ttl_ms,
	o.status, o.attempts, o.next_attempt_at, o.last_error, o.created_at, o.updated_at,
	s.id, s.user_id, s.endpoint, s.host, s.p256dh, s.auth, s.name, s.created_at, s.last_success_at, s.last_error`

// claimDueSQL picks the due pushes of at most ? hosts (those whose
// earliest push is due first), at most ? per host, skipping busy hosts.
const claimDueSQL = `WITH due AS (
	SELECT o.id, s.host, o.next_attempt_at,
		ROW_NUMBER() OVER (PARTITION BY s.host ORDER BY o.next_attempt_at, o.id) AS rn
	FROM push_outbox o JOIN push_subscriptions s ON s.id = o.subscription_id AND s.user_id = o.user_id
	WHERE o.status = 'pending' AND o.next_attempt_at <= ? AND s.host NOT IN (SELECT value FROM json_each(?))
), hosts AS (
	SELECT host FROM due GROUP BY host ORDER BY MIN(next_attempt_at), host LIMIT ?
)
SELECT id FROM due WHERE rn <= ? AND host IN (SELECT host FROM hosts)`

// ClaimPushes leases due pushes with their subscriptions (see
// app.PushStore). The join on both id and user makes a push reach only a
// subscription of its own user.
func (s *PushStore) ClaimPushes(ctx context.Context, now, leaseUntil time.Time, hosts, perHost int, busy []string) ([]*app.PushClaim, error) {
	if busy == nil {
		busy = []string{}
	}
	busyJSON, err := json.Marshal(busy)
	if err != nil {
		return nil, err
	}
	var out []*app.PushClaim
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.Query(`UPDATE push_outbox SET next_attempt_at = ? WHERE id IN (`+claimDueSQL+`) RETURNING id`,
			millis(leaseUntil), millis(now), string(busyJSON), hosts, perHost)
		if err != nil {
			return err
		}
		var ids []string
		if err := eachRow(rows, func() error {
			var id string
			err := rows.Scan(&id)
			ids = append(ids, id)
			return err
		}); err != nil || len(ids) == 0 {
			return err
		}
		idsJSON, _ := json.Marshal(ids)
		rows, err = tx.Query(`SELECT `+claimColumns+` FROM push_outbox o
			JOIN push_subscriptions s ON s.id = o.subscription_id AND s.user_id = o.user_id
			WHERE o.id IN (SELECT value FROM json_each(?)) ORDER BY s.host, o.subscription_id, o.created_at, o.id`, string(idsJSON))
		if err != nil {
			return err
		}
		return eachRow(rows, func() error {
			c, err := scanClaim(rows)
			if err == nil {
				out = append(out, c)
			}
			return err
		})
	})
	return out, internal(err, "claim pushes")
}

func scanClaim(r rowScanner) (*app.PushClaim, error) {
	var p app.Push
	var sub app.PushSubscription
	var notification sql.NullString
	var payload string
	var ttl, next, created, updated, subCreated int64
	var success sql.NullInt64
	if err := r.Scan(&p.ID, &p.SubscriptionID, &p.UserID, &notification, &p.Kind, &payload, &p.Urgency, &p.Topic, &ttl,
		&p.Status, &p.Attempts, &next, &p.LastError, &created, &updated,
		&sub.ID, &sub.UserID, &sub.Endpoint, &sub.Host, &sub.P256dh, &sub.Auth, &sub.Name, &subCreated, &success, &sub.LastError); err != nil {
		return nil, err
	}
	p.NotificationID, p.Payload, p.TTL = notification.String, []byte(payload), time.Duration(ttl)*time.Millisecond
	p.NextAttemptAt, p.CreatedAt, p.UpdatedAt = fromMillis(next), fromMillis(created), fromMillis(updated)
	sub.CreatedAt, sub.LastSuccessAt = fromMillis(subCreated), timePtr(success)
	return &app.PushClaim{Push: &p, Subscription: &sub}, nil
}

// RecordPushes saves the outcomes of attempts, with what the worker
// changed (a summary's kind, payload, topic, urgency). A push whose subscription
// is gone meanwhile updates nothing.
func (s *PushStore) RecordPushes(ctx context.Context, ps []*app.Push) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		for _, p := range ps {
			if _, err := tx.Exec(`UPDATE push_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?,
				updated_at = ?, sent_at = ?, payload = ?, kind = ?, topic = ?, urgency = ? WHERE id = ?`, p.Status, p.Attempts,
				millis(p.NextAttemptAt), p.LastError, millis(p.UpdatedAt), nullMillis(p.SentAt), string(p.Payload), p.Kind, p.Topic,
				p.Urgency, p.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return internal(err, "record pushes")
}

// NextPushDue returns the earliest due time of a pending push to a host
// not in skip (the push services being sent to or paused).
func (s *PushStore) NextPushDue(ctx context.Context, skip []string) (time.Time, bool, error) {
	var next sql.NullInt64
	var err error
	if len(skip) == 0 {
		err = s.db.readQueryRow(ctx, `SELECT MIN(next_attempt_at) FROM push_outbox WHERE status = 'pending'`).Scan(&next)
	} else {
		hosts, jerr := json.Marshal(skip)
		if jerr != nil {
			return time.Time{}, false, fmt.Errorf("encode skipped hosts: %w", jerr)
		}
		// In due order, so the scan stops at the first push of a host
		// not skipped.
		err = s.db.readQueryRow(ctx, `SELECT o.next_attempt_at FROM push_outbox o
			JOIN push_subscriptions s ON s.id = o.subscription_id AND s.user_id = o.user_id
			WHERE o.status = 'pending' AND s.host NOT IN (SELECT value FROM json_each(?))
			ORDER BY o.next_attempt_at LIMIT 1`, string(hosts)).Scan(&next)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
	}
	if err != nil || !next.Valid {
		return time.Time{}, false, internal(err, "next push due")
	}
	return fromMillis(next.Int64), true, nil
}
