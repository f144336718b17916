package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/belfry/belfry/app"
)

var _ app.QuietStore = (*QuietStore)(nil)

// QuietStore implements app.QuietStore: quiet-hours settings, the
// notifications they held and the windows digested. It is safe for
// concurrent use.
type QuietStore struct {
	db *DB
}

// NewQuietStore returns a QuietStore on d.
func NewQuietStore(d *DB) *QuietStore { return &QuietStore{db: d} }

// QuietHours returns userID's stored setting.
func (s *QuietStore) QuietHours(ctx context.Context, userID string) (app.QuietHours, bool, error) {
	all, err := s.QuietHoursFor(ctx, []string{userID})
	if err != nil {
		return app.QuietHours{}, false, err
	}
	q, ok := all[userID]
	return q, ok, nil
}

// QuietHoursFor returns the stored settings of userIDs, one query per 500.
func (s *QuietStore) QuietHoursFor(ctx context.Context, userIDs []string) (map[string]app.QuietHours, error) {
	out := make(map[string]app.QuietHours)
	for _, chunk := range inChunks(userIDs) {
		rows, err := s.db.readQuery(ctx,
			`SELECT user_id, setting, digests FROM quiet_hours WHERE user_id IN (`+placeholders(len(chunk))+`)`, anySlice(chunk)...)
		if err != nil {
			return nil, internal(err, "load quiet hours")
		}
		err = eachRow(rows, func() error {
			var user, setting, digests string
			var q app.QuietHours
			if err := rows.Scan(&user, &setting, &digests); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(setting), &q); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(digests), &q.Digests); err != nil {
				return err
			}
			out[user] = q
			return nil
		})
		if err != nil {
			return nil, internal(err, "load quiet hours")
		}
	}
	return out, nil
}

// SetQuietHours saves userID's setting (not its digests). Errors: ENOTFOUND.
func (s *QuietStore) SetQuietHours(ctx context.Context, userID string, q app.QuietHours) error {
	return s.upsert(ctx, userID, "setting", q)
}

// SetTypeDigests saves userID's type digests. Errors: ENOTFOUND.
func (s *QuietStore) SetTypeDigests(ctx context.Context, userID string, ds []app.TypeDigest) error {
	return s.upsert(ctx, userID, "digests", nonNil(ds))
}

// upsert writes v as JSON into column of userID's row.
func (s *QuietStore) upsert(ctx context.Context, userID, column string, v any) error {
	doc, err := json.Marshal(v)
	if err != nil {
		return internal(err, "encode quiet hours")
	}
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		// A new row starts with an empty setting and no digests.
		_, err := tx.Exec(`INSERT INTO quiet_hours (user_id, setting, digests, updated_at) VALUES (?, '{}', '[]', ?)
			ON CONFLICT (user_id) DO NOTHING`, userID, millis(s.db.Now()))
		if err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE quiet_hours SET `+column+` = ?, updated_at = ? WHERE user_id = ?`,
			string(doc), millis(s.db.Now()), userID)
		return err
	})
	if isForeignKeyViolation(err) {
		return app.Errorf(app.ENOTFOUND, "User not found.")
	}
	return internal(err, "save quiet hours")
}

// insertHeld writes the held notifications of a dispatch inside tx.
func insertHeld(tx *sql.Tx, held []*app.QuietHeld) error {
	if len(held) == 0 {
		return nil
	}
	stmt, err := tx.Prepare(`INSERT INTO quiet_held (notification_id, user_id, digest, level, until) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, h := range held {
		if _, err := stmt.Exec(h.NotificationID, h.UserID, h.Digest, string(h.Level), millis(h.Until)); err != nil {
			return err
		}
	}
	return nil
}

// NextQuietDigest returns the earliest window end with held notifications.
func (s *QuietStore) NextQuietDigest(ctx context.Context) (time.Time, bool, error) {
	var until sql.NullInt64
	if err := s.db.readQueryRow(ctx, `SELECT MIN(until) FROM quiet_held`).Scan(&until); err != nil {
		return time.Time{}, false, internal(err, "next quiet digest")
	}
	if !until.Valid {
		return time.Time{}, false, nil
	}
	return fromMillis(until.Int64), true, nil
}

// ClaimQuietDigests takes the held notifications of every window ended at
// or before now, grouped per user and window, and records each window as
// digested, in one write. A window recorded before (a digest already
// claimed) yields nothing again.
func (s *QuietStore) ClaimQuietDigests(ctx context.Context, now time.Time) ([]app.QuietDigest, error) {
	var out []app.QuietDigest
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.Query(`SELECT h.notification_id, h.user_id, h.digest, h.level, h.until, COALESCE(n.title, '')
			FROM quiet_held h LEFT JOIN notifications n ON n.id = h.notification_id
			WHERE h.until <= ? ORDER BY h.user_id, h.digest, h.until, h.notification_id`, millis(now))
		if err != nil {
			return err
		}
		err = eachRow(rows, func() error {
			var h app.QuietHeld
			var until int64
			if err := rows.Scan(&h.NotificationID, &h.UserID, &h.Digest, &h.Level, &until, &h.Title); err != nil {
				return err
			}
			h.Until = fromMillis(until)
			if n := len(out); n == 0 || out[n-1].UserID != h.UserID || out[n-1].Digest != h.Digest || !out[n-1].Until.Equal(h.Until) {
				out = append(out, app.QuietDigest{UserID: h.UserID, Digest: h.Digest, Until: h.Until})
			}
			out[len(out)-1].Held = append(out[len(out)-1].Held, h)
			return nil
		})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM quiet_held WHERE until <= ?`, millis(now)); err != nil {
			return err
		}
		kept := out[:0]
		for _, d := range out {
			res, err := tx.Exec(`INSERT INTO quiet_digests (user_id, digest, until, held, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				d.UserID, d.Digest, millis(d.Until), len(d.Held), millis(now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				kept = append(kept, d)
			}
		}
		out = kept
		return nil
	})
	if err != nil {
		return nil, internal(err, "claim quiet digests")
	}
	return out, nil
}
