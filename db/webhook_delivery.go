package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
)

// The webhook outbox: rows are inserted by a dispatch (insertDeliveries,
// inside the notifications' transaction), leased by ClaimDeliveries and
// settled by RecordAttempts.

const deliveryColumns = `id, webhook_id, notification_id, event, payload, status, attempts,
	next_attempt_at, last_error, response_code, duration_ms, created_at, updated_at`

// insertDeliverySQL inserts one delivery unless its webhook was deleted
// after the dispatch routed it: a vanished webhook must not fail the whole
// dispatch with a foreign key error.
const insertDeliverySQL = `INSERT INTO webhook_deliveries (` + deliveryColumns + `)
	SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = ?)`

// maxDeliveryPage bounds one page of the delivery log.
const maxDeliveryPage = 200

// pruneChunk bounds the rows one pruning transaction deletes, so pruning a
// large log never holds the writer for long.
const pruneChunk = 1000

// insertDeliveries writes the outbox rows of a dispatch inside tx. It fills
// a missing ID, status (pending) and times in place.
func insertDeliveries(tx *sql.Tx, ds []*app.WebhookDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	stmt, err := tx.Prepare(insertDeliverySQL)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, d := range ds {
		if _, err := stmt.Exec(deliveryArgs(d)...); err != nil {
			return fmt.Errorf("insert webhook delivery: %w", err)
		}
	}
	return nil
}

func deliveryArgs(d *app.WebhookDelivery) []any {
	if d.ID == "" {
		d.ID = newID()
	}
	if d.Status == "" {
		d.Status = app.DeliveryPending
	}
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = d.CreatedAt
	}
	d.CreatedAt, d.UpdatedAt, d.NextAttemptAt = msTime(d.CreatedAt), msTime(d.UpdatedAt), msTime(d.NextAttemptAt)
	payload := string(d.Payload)
	if payload == "" {
		payload = "{}"
	}
	return []any{d.ID, d.WebhookID, nullString(d.NotificationID), d.Event, payload, d.Status, d.Attempts,
		millis(d.NextAttemptAt), d.LastError, d.ResponseCode, d.DurationMS,
		millis(d.CreatedAt), millis(d.UpdatedAt), d.WebhookID}
}

func scanDelivery(r rowScanner) (*app.WebhookDelivery, error) {
	var d app.WebhookDelivery
	var notification sql.NullString
	var payload string
	var next, created, updated int64
	err := r.Scan(&d.ID, &d.WebhookID, &notification, &d.Event, &payload, &d.Status, &d.Attempts,
		&next, &d.LastError, &d.ResponseCode, &d.DurationMS, &created, &updated)
	if err != nil {
		return nil, err
	}
	d.NotificationID, d.Payload = notification.String, json.RawMessage(payload)
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = fromMillis(next), fromMillis(created), fromMillis(updated)
	return &d, nil
}

// InsertDeliveries stores deliveries outside a dispatch (test sends),
// dropping those of webhooks that no longer exist.
func (s *WebhookStore) InsertDeliveries(ctx context.Context, ds []*app.WebhookDelivery) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error { return insertDeliveries(tx, ds) })
	return internal(err, "insert webhook deliveries")
}

// failPending gives up the pending deliveries of webhook id.
func failPending(tx *sql.Tx, id, reason string, now time.Time) error {
	_, err := tx.Exec(`UPDATE webhook_deliveries SET status = 'failed', last_error = ?, updated_at = ?
		WHERE webhook_id = ? AND status = 'pending'`, reason, millis(now), id)
	return err
}

// ClaimDeliveries leases due deliveries, oldest due first: at most
// req.PerLane of each of at most req.Lanes webhooks outside req.Busy. Due
// deliveries of disabled webhooks are failed on the way, which covers a
// dispatch that raced a disable.
func (s *WebhookStore) ClaimDeliveries(ctx context.Context, req app.ClaimRequest) ([]*app.DeliveryClaim, error) {
	if req.Lanes < 1 || req.PerLane < 1 {
		return nil, nil
	}
	busy, err := json.Marshal(nonNil(req.Busy))
	if err != nil {
		return nil, fmt.Errorf("encode busy webhooks: %w", err)
	}
	now, lease := millis(req.Now), millis(req.LeaseUntil)
	var claims []*app.DeliveryClaim
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		claims = nil
		if _, err := tx.Exec(`UPDATE webhook_deliveries SET status = 'failed', last_error = 'Webhook disabled.', updated_at = ?
			WHERE status = 'pending' AND next_attempt_at <= ? AND webhook_id IN (SELECT id FROM webhooks WHERE enabled = 0)`,
			now, now); err != nil {
			return err
		}
		var err error
		if claims, err = selectDue(tx, now, string(busy), req); err != nil {
			return err
		}
		return leaseClaims(tx, claims, lease)
	})
	if err != nil {
		return nil, internal(err, "claim webhook deliveries")
	}
	return claims, nil
}

// selectDue picks the lanes — enabled webhooks outside the busy list with a
// due delivery, the longest waiting first — then each lane's earliest due
// deliveries. Both steps use the per-webhook index, so the backlog of a
// busy or paused webhook is never walked.
func selectDue(tx *sql.Tx, now int64, busy string, req app.ClaimRequest) ([]*app.DeliveryClaim, error) {
	rows, err := tx.Query(`SELECT `+webhookColumns+` FROM (SELECT *,
		(SELECT next_attempt_at FROM webhook_deliveries INDEXED BY webhook_deliveries_waiting
		 WHERE webhook_id = webhooks.id AND status = 'pending' ORDER BY next_attempt_at LIMIT 1) AS due
		FROM webhooks WHERE enabled = 1 AND id NOT IN (SELECT value FROM json_each(?))) AS lanes
		WHERE due <= ? ORDER BY due, id LIMIT ?`, busy, now, req.Lanes)
	if err != nil {
		return nil, err
	}
	var claims []*app.DeliveryClaim
	err = eachWebhook(rows, func(w *app.Webhook) error {
		claims = append(claims, &app.DeliveryClaim{Webhook: w})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, c := range claims {
		if c.Deliveries, err = dueDeliveries(tx, c.Webhook.ID, now, req.PerLane); err != nil {
			return nil, err
		}
	}
	return claims, nil
}

func eachWebhook(rows *sql.Rows, fn func(*app.Webhook) error) error {
	defer rows.Close()
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return err
		}
		if err := fn(w); err != nil {
			return err
		}
	}
	return rows.Err()
}

// dueDeliveries returns up to limit deliveries of one webhook due at now.
func dueDeliveries(tx *sql.Tx, webhookID string, now int64, limit int) ([]*app.WebhookDelivery, error) {
	rows, err := tx.Query(`SELECT `+deliveryColumns+` FROM webhook_deliveries INDEXED BY webhook_deliveries_waiting
		WHERE webhook_id = ? AND status = 'pending' AND next_attempt_at <= ?
		ORDER BY next_attempt_at, id LIMIT ?`, webhookID, now, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*app.WebhookDelivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// leaseClaims pushes the claimed deliveries' next attempt to the lease end.
func leaseClaims(tx *sql.Tx, claims []*app.DeliveryClaim, lease int64) error {
	stmt, err := tx.Prepare(`UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, c := range claims {
		for _, d := range c.Deliveries {
			if _, err := stmt.Exec(lease, d.ID); err != nil {
				return err
			}
			d.NextAttemptAt = fromMillis(lease)
		}
	}
	return nil
}

// RecordAttempts saves the outcome fields of each delivery in one
// transaction. UpdatedAt is taken from each delivery (the worker's clock),
// or now when zero.
func (s *WebhookStore) RecordAttempts(ctx context.Context, ds []*app.WebhookDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	now := msTime(s.db.Now())
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.Prepare(`UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?,
			last_error = ?, response_code = ?, duration_ms = ?, updated_at = ? WHERE id = ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, d := range ds {
			if d.UpdatedAt.IsZero() {
				d.UpdatedAt = now
			}
			d.UpdatedAt, d.NextAttemptAt = msTime(d.UpdatedAt), msTime(d.NextAttemptAt)
			if _, err := stmt.Exec(d.Status, d.Attempts, millis(d.NextAttemptAt), d.LastError,
				d.ResponseCode, d.DurationMS, millis(d.UpdatedAt), d.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return internal(err, "record webhook attempts")
}

// ExpediteDeliveries makes webhookID's pending deliveries that wait for a
// later retry due at now, and returns how many.
func (s *WebhookStore) ExpediteDeliveries(ctx context.Context, webhookID string, now time.Time) (int, error) {
	var n int64
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE webhook_deliveries SET next_attempt_at = ?
			WHERE webhook_id = ? AND status = 'pending' AND next_attempt_at > ? AND attempts > 0`,
			millis(now), webhookID, millis(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), internal(err, "expedite webhook deliveries")
}

// NextDeliveryDue returns the earliest next attempt of a pending delivery
// whose webhook is not in busy. Without exclusions the due index answers at
// once; with some, each other webhook's earliest delivery is looked up in
// the per-webhook index, so a large backlog of an excluded webhook is never
// walked.
func (s *WebhookStore) NextDeliveryDue(ctx context.Context, busy []string) (time.Time, bool, error) {
	var next sql.NullInt64
	var err error
	if len(busy) == 0 {
		err = s.db.readQueryRow(ctx, `SELECT min(next_attempt_at) FROM webhook_deliveries
			WHERE status = 'pending'`).Scan(&next)
	} else {
		ids, jerr := json.Marshal(busy)
		if jerr != nil {
			return time.Time{}, false, fmt.Errorf("encode busy webhooks: %w", jerr)
		}
		err = s.db.readQueryRow(ctx, `SELECT min(next) FROM (SELECT
			(SELECT next_attempt_at FROM webhook_deliveries INDEXED BY webhook_deliveries_waiting
			 WHERE webhook_id = w.id AND status = 'pending' ORDER BY next_attempt_at LIMIT 1) AS next
			FROM webhooks w WHERE w.id NOT IN (SELECT value FROM json_each(?))) AS lanes`, string(ids)).Scan(&next)
	}
	if err != nil {
		return time.Time{}, false, internal(err, "next webhook delivery")
	}
	if !next.Valid {
		return time.Time{}, false, nil
	}
	return fromMillis(next.Int64), true, nil
}

// CountPendingDeliveries returns how many deliveries wait in the outbox.
func (s *WebhookStore) CountPendingDeliveries(ctx context.Context) (int, error) {
	var n int
	err := s.db.readQueryRow(ctx, `SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'`).Scan(&n)
	return n, internal(err, "count pending webhook deliveries")
}

// ListDeliveries returns a page of f.WebhookID's delivery log, newest
// first, never nil. Limit is clamped to 1..200 (default 50).
func (s *WebhookStore) ListDeliveries(ctx context.Context, f app.DeliveryFilter) ([]*app.WebhookDelivery, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, maxDeliveryPage)
	where, args := []string{"webhook_id = ?"}, []any{f.WebhookID}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.Before != "" {
		where, args = append(where, "id < ?"), append(args, f.Before)
	}
	rows, err := s.db.readQuery(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, internal(err, "list webhook deliveries")
	}
	defer rows.Close()
	out := []*app.WebhookDelivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, internal(err, "list webhook deliveries")
		}
		out = append(out, d)
	}
	return out, internal(rows.Err(), "list webhook deliveries")
}

// PruneDeliveries deletes delivered and failed deliveries last updated
// before before, in chunks, and returns how many.
func (s *WebhookStore) PruneDeliveries(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		var n int64
		err := s.db.Write(ctx, func(tx *sql.Tx) error {
			key := s.db.sql.rowKey
			res, err := tx.Exec(`DELETE FROM webhook_deliveries WHERE `+key+` IN (SELECT `+key+` FROM webhook_deliveries
				WHERE status <> 'pending' AND updated_at < ? LIMIT ?)`, millis(before), pruneChunk)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, internal(err, "prune webhook deliveries")
		}
		total += int(n)
		if n < pruneChunk {
			return total, nil
		}
	}
}
