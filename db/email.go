package db

import (
	"context"
	"database/sql"
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
	next_attempt_at, last_error, created_at, updated_at, sent_at`

// insertEmails writes the e-mail rows of a dispatch inside tx, filling a
// missing id and status in place.
func insertEmails(tx *sql.Tx, es []*app.Email) error {
	if len(es) == 0 {
		return nil
	}
	stmt, err := tx.Prepare(`INSERT INTO email_outbox (` + emailColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, e := range es {
		if e.ID == "" {
			e.ID = newID()
		}
		if e.Status == "" {
			e.Status = app.EmailPending
		}
		e.CreatedAt, e.UpdatedAt, e.NextAttemptAt = msTime(e.CreatedAt), msTime(e.CreatedAt), msTime(e.NextAttemptAt)
		if _, err := stmt.Exec(e.ID, e.UserID, nullString(e.NotificationID), e.Type, e.Subject, string(e.Payload),
			e.Status, e.Attempts, millis(e.NextAttemptAt), e.LastError, millis(e.CreatedAt), millis(e.UpdatedAt),
			nullMillis(e.SentAt)); err != nil {
			return fmt.Errorf("insert e-mail: %w", err)
		}
	}
	return nil
}

func scanEmail(r rowScanner) (*app.Email, error) {
	var e app.Email
	var notification sql.NullString
	var payload string
	var next, created, updated int64
	var sent sql.NullInt64
	if err := r.Scan(&e.ID, &e.UserID, &notification, &e.Type, &e.Subject, &payload, &e.Status, &e.Attempts,
		&next, &e.LastError, &created, &updated, &sent); err != nil {
		return nil, err
	}
	e.NotificationID, e.Payload = notification.String, []byte(payload)
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

// RecordEmails saves the outcomes of attempts.
func (s *EmailStore) RecordEmails(ctx context.Context, es []*app.Email) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		for _, e := range es {
			if _, err := tx.Exec(`UPDATE email_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?,
				updated_at = ?, sent_at = ? WHERE id = ?`, e.Status, e.Attempts, millis(e.NextAttemptAt), e.LastError,
				millis(e.UpdatedAt), nullMillis(e.SentAt), e.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return internal(err, "record e-mails")
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
