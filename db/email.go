package db

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/belfry/belfry/app"
)

var _ app.EmailStore = (*EmailStore)(nil)

// EmailStore implements app.EmailStore: the users' addresses and the e-mail
// outbox (rows inserted by a dispatch in insertEmails, leased by
// ClaimEmails, settled by RecordEmails). It is safe for concurrent use.
type EmailStore struct {
	db *DB
}

// NewEmailStore returns an EmailStore on d.
func NewEmailStore(d *DB) *EmailStore { return &EmailStore{db: d} }

const emailColumns = `id, user_id, notification_id, type, subject, payload, status, attempts,
	next_attempt_at, last_error, created_at, updated_at, sent_at, kind, batch_id`

// insertEmails writes the e-mail rows of a dispatch inside tx, filling a
// missing id, status and kind in place; a row with a batching rule is held
// (batch) when its user is over the threshold.
func insertEmails(tx *sql.Tx, es []*app.Email) error {
	if len(es) == 0 {
		return nil
	}
	stmt, err := tx.Prepare(`INSERT INTO email_outbox (` + emailColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	insert := func(e *app.Email) error {
		if e.ID == "" {
			e.ID = newID()
		}
		e.Status, e.Kind = cmp.Or(e.Status, app.EmailPending), cmp.Or(e.Kind, app.EmailSingle)
		e.CreatedAt, e.UpdatedAt, e.NextAttemptAt = msTime(e.CreatedAt), msTime(e.CreatedAt), msTime(e.NextAttemptAt)
		_, err := stmt.Exec(e.ID, e.UserID, nullString(e.NotificationID), e.Type, e.Subject, string(e.Payload),
			e.Status, e.Attempts, millis(e.NextAttemptAt), e.LastError, millis(e.CreatedAt), millis(e.UpdatedAt),
			nullMillis(e.SentAt), e.Kind, nullString(e.BatchID))
		return err
	}
	for _, e := range es {
		if e.Batch.On() {
			summary, err := batch(tx, e)
			if err != nil {
				return fmt.Errorf("batch e-mail: %w", err)
			}
			if summary != nil {
				if err := insert(summary); err != nil {
					return fmt.Errorf("insert e-mail summary: %w", err)
				}
			}
		}
		if err := insert(e); err != nil {
			return fmt.Errorf("insert e-mail: %w", err)
		}
	}
	return nil
}

// batch applies e's batching rule inside tx on its user's interval
// (email_windows): an e-mail created after the interval ended starts a new
// one and is sent; within it, the first Threshold are sent and the rest
// held in the interval's summary, due at its end. It returns the summary
// row to insert when e is the first held.
func batch(tx *sql.Tx, e *app.Email) (summary *app.Email, err error) {
	at := millis(msTime(e.CreatedAt))
	var ends int64
	var sent int
	var summaryID sql.NullString
	err = tx.QueryRow(`SELECT ends_at, sent, summary_id FROM email_windows WHERE user_id = ?`, e.UserID).Scan(&ends, &sent, &summaryID)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && at >= ends:
		_, err = tx.Exec(`INSERT INTO email_windows (user_id, started_at, ends_at, sent, summary_id) VALUES (?, ?, ?, 1, NULL)
			ON CONFLICT (user_id) DO UPDATE SET started_at = excluded.started_at, ends_at = excluded.ends_at, sent = 1, summary_id = NULL`,
			e.UserID, at, at+e.Batch.Interval.Milliseconds())
		return nil, err
	case err != nil:
		return nil, err
	case sent < e.Batch.Threshold:
		_, err = tx.Exec(`UPDATE email_windows SET sent = sent + 1 WHERE user_id = ?`, e.UserID)
		return nil, err
	}
	e.Status = app.EmailHeld
	if summaryID.Valid {
		e.BatchID = summaryID.String
		return nil, nil
	}
	summary = &app.Email{ID: newID(), UserID: e.UserID, Type: app.EmailSummary, Subject: "[Belfry] New notifications",
		Payload: []byte("{}"), Status: app.EmailPending, Kind: app.EmailSummary, NextAttemptAt: fromMillis(ends),
		CreatedAt: e.CreatedAt}
	e.BatchID = summary.ID
	_, err = tx.Exec(`UPDATE email_windows SET summary_id = ? WHERE user_id = ?`, summary.ID, e.UserID)
	return summary, err
}

func scanEmail(r rowScanner) (*app.Email, error) {
	var e app.Email
	var notification sql.NullString
	var payload string
	var next, created, updated int64
	var sent sql.NullInt64
	var batchID sql.NullString
	if err := r.Scan(&e.ID, &e.UserID, &notification, &e.Type, &e.Subject, &payload, &e.Status, &e.Attempts,
		&next, &e.LastError, &created, &updated, &sent, &e.Kind, &batchID); err != nil {
		return nil, err
	}
	e.NotificationID, e.Payload, e.BatchID = notification.String, []byte(payload), batchID.String
	e.NextAttemptAt, e.CreatedAt, e.UpdatedAt = fromMillis(next), fromMillis(created), fromMillis(updated)
	if sent.Valid {
		t := fromMillis(sent.Int64)
		e.SentAt = &t
	}
	return &e, nil
}

func scanEmails(rows *sql.Rows) ([]*app.Email, error) {
	out := []*app.Email{}
	err := eachRow(rows, func() error {
		e, err := scanEmail(rows)
		if err == nil {
			out = append(out, e)
		}
		return err
	})
	return out, err
}

// SetEmailAddress sets user id's address. Errors: ENOTFOUND.
func (s *EmailStore) SetEmailAddress(ctx context.Context, userID, addr string) error {
	n, err := writeCount(ctx, s.db, `UPDATE users SET email = ? WHERE id = ?`, addr, userID)
	if err == nil && n == 0 {
		return app.Errorf(app.ENOTFOUND, "User not found.")
	}
	return internal(err, "set e-mail address")
}

// ClaimEmails leases up to limit due pending rows, oldest due first: their
// next attempt moves to leaseUntil, so a crash retries them then.
func (s *EmailStore) ClaimEmails(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*app.Email, error) {
	var out []*app.Email
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		rows, err := tx.Query(`UPDATE email_outbox SET next_attempt_at = ? WHERE id IN (
			SELECT id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?)
			RETURNING `+emailColumns, millis(leaseUntil), millis(now), limit)
		if err != nil {
			return err
		}
		out, err = scanEmails(rows)
		return err
	})
	return out, internal(err, "claim e-mails")
}

// RecordEmails saves the outcomes of attempts. A summary that is settled
// (sent, failed or skipped) settles its held e-mails in the same
// transaction; see settleBatch.
func (s *EmailStore) RecordEmails(ctx context.Context, es []*app.Email) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		for _, e := range es {
			if _, err := tx.Exec(`UPDATE email_outbox SET subject = ?, status = ?, attempts = ?, next_attempt_at = ?,
				last_error = ?, updated_at = ?, sent_at = ? WHERE id = ?`, e.Subject, e.Status, e.Attempts,
				millis(e.NextAttemptAt), e.LastError, millis(e.UpdatedAt), nullMillis(e.SentAt), e.ID); err != nil {
				return err
			}
			if e.Kind == app.EmailSummary && e.Status != app.EmailPending {
				if err := settleBatch(tx, e); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return internal(err, "record e-mails")
}

// goneNotification is true for an outbox row whose notification was
// deleted.
const goneNotification = `(notification_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = notification_id))`

// settleBatch gives summary's outcome to the held e-mails it carried (all
// of them when it failed before it knew them), marks those whose
// notification is gone skipped, and releases any other still held (one
// that joined after the summary was built) to be sent on its own.
func settleBatch(tx *sql.Tx, summary *app.Email) error {
	members := summary.Members
	all := members == nil && summary.Status == app.EmailFailed
	if members == nil {
		members = []string{}
	}
	list, err := json.Marshal(members)
	if err != nil {
		return err
	}
	upd := millis(summary.UpdatedAt)
	if summary.Status != app.EmailSkipped {
		if _, err := tx.Exec(`UPDATE email_outbox SET status = ?, last_error = ?, updated_at = ?, sent_at = ?
			WHERE batch_id = ? AND status = 'held' AND (? = 1 OR id IN (SELECT value FROM json_each(?)))`,
			summary.Status, summary.LastError, upd, nullMillis(summary.SentAt), summary.ID, all, string(list)); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(`UPDATE email_outbox SET status = 'skipped', updated_at = ?,
		last_error = 'Left out of the summary: the notification was deleted before it was sent.'
		WHERE batch_id = ? AND status = 'held' AND `+goneNotification, upd, summary.ID); err != nil {
		return err
	}
	_, err = tx.Exec(`UPDATE email_outbox SET status = 'pending', batch_id = NULL, next_attempt_at = ?, updated_at = ?
		WHERE batch_id = ? AND status = 'held'`, upd, upd, summary.ID)
	return err
}

// HeldEmails returns the e-mails held in summary summaryID, oldest first:
// those to send, and those whose notification was deleted.
func (s *EmailStore) HeldEmails(ctx context.Context, summaryID string) (kept, gone []*app.Email, err error) {
	rows, err := s.db.readQuery(ctx, `SELECT `+emailColumns+`, `+goneNotification+` FROM email_outbox
		WHERE batch_id = ? AND status = 'held' ORDER BY created_at, id`, summaryID)
	if err != nil {
		return nil, nil, internal(err, "held e-mails")
	}
	kept = []*app.Email{}
	err = eachRow(rows, func() error {
		var isGone bool
		e, err := scanEmail(extraColumn{rows, &isGone})
		if err != nil {
			return err
		}
		if isGone {
			gone = append(gone, e)
		} else {
			kept = append(kept, e)
		}
		return nil
	})
	return kept, gone, internal(err, "held e-mails")
}

// extraColumn scans one more column after an e-mail's.
type extraColumn struct {
	r     rowScanner
	extra any
}

func (x extraColumn) Scan(dest ...any) error { return x.r.Scan(append(dest, x.extra)...) }

// CountEmails returns the rows waiting to be sent and those held.
func (s *EmailStore) CountEmails(ctx context.Context) (pending, held int, err error) {
	err = s.db.readQueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM email_outbox WHERE status = 'pending'),
		(SELECT COUNT(*) FROM email_outbox WHERE batch_id IS NOT NULL AND status = 'held')`).Scan(&pending, &held)
	return pending, held, internal(err, "count e-mails")
}

// NextEmailDue returns the earliest due time of a pending row.
func (s *EmailStore) NextEmailDue(ctx context.Context) (time.Time, bool, error) {
	var next sql.NullInt64
	err := s.db.readQueryRow(ctx, `SELECT MIN(next_attempt_at) FROM email_outbox WHERE status = 'pending'`).Scan(&next)
	if err != nil || !next.Valid {
		return time.Time{}, false, internal(err, "next e-mail due")
	}
	return fromMillis(next.Int64), true, nil
}

// ListEmails returns userID's latest e-mails ("" every user's), newest
// first.
func (s *EmailStore) ListEmails(ctx context.Context, userID string, limit int) ([]*app.Email, error) {
	rows, err := s.db.readQuery(ctx, `SELECT `+emailColumns+` FROM email_outbox
		WHERE ? = '' OR user_id = ? ORDER BY id DESC LIMIT ?`, userID, userID, limit)
	if err != nil {
		return nil, internal(err, "list e-mails")
	}
	out, err := scanEmails(rows)
	return out, internal(err, "list e-mails")
}
