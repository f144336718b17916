package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/belfry/belfry/app"
)

var _ app.ScheduleStore = (*ScheduleStore)(nil)

// ScheduleStore implements app.ScheduleStore on the scheduled_events table
// of migration 00016. It is safe for concurrent use.
type ScheduleStore struct {
	db *DB
}

// NewScheduleStore returns a ScheduleStore on d.
func NewScheduleStore(d *DB) *ScheduleStore { return &ScheduleStore{db: d} }

const scheduledColumns = `id, user_id, as_system, event, deliver_at, created_at`

// CreateScheduled implements app.ScheduleStore.
func (s *ScheduleStore) CreateScheduled(ctx context.Context, e *app.ScheduledEvent) error {
	ev, err := json.Marshal(&e.Event)
	if err != nil {
		return fmt.Errorf("encode scheduled event: %w", err)
	}
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM scheduled_events WHERE user_id = ?`, e.UserID).Scan(&n); err != nil {
			return err
		}
		if n >= app.MaxScheduledPerUser {
			return app.Errorf(app.ECONFLICT, "You have %d scheduled events, the most one user may have; cancel one first.", n)
		}
		_, err := tx.Exec(`INSERT INTO scheduled_events (`+scheduledColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
			e.ID, e.UserID, e.AsSystem, string(ev), millis(e.DeliverAt), millis(e.CreatedAt))
		return err
	})
	if isForeignKeyViolation(err) {
		return app.Errorf(app.ENOTFOUND, "User not found.")
	}
	return internal(err, "create scheduled event")
}

// ListScheduled implements app.ScheduleStore.
func (s *ScheduleStore) ListScheduled(ctx context.Context, userID string) ([]*app.ScheduledEvent, error) {
	return s.list(ctx, `SELECT `+scheduledColumns+` FROM scheduled_events WHERE user_id = ? ORDER BY deliver_at, id`, userID)
}

// FindScheduled implements app.ScheduleStore.
func (s *ScheduleStore) FindScheduled(ctx context.Context, id string) (*app.ScheduledEvent, error) {
	out, err := s.list(ctx, `SELECT `+scheduledColumns+` FROM scheduled_events WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, app.CodedErrorf(app.ENOTFOUND, app.CodeScheduleMissing, "Scheduled event not found: it was cancelled, delivered, or never existed.")
	}
	return out[0], nil
}

// DeleteScheduled implements app.ScheduleStore.
func (s *ScheduleStore) DeleteScheduled(ctx context.Context, userID, id string) (bool, error) {
	n, err := writeCount(ctx, s.db, `DELETE FROM scheduled_events WHERE id = ? AND (? = '' OR user_id = ?)`, id, userID, userID)
	return n > 0, internal(err, "delete scheduled event")
}

// DueScheduled implements app.ScheduleStore.
func (s *ScheduleStore) DueScheduled(ctx context.Context, now time.Time, limit int) ([]*app.ScheduledEvent, error) {
	return s.list(ctx, `SELECT `+scheduledColumns+` FROM scheduled_events WHERE deliver_at <= ? ORDER BY deliver_at, id LIMIT ?`,
		millis(now), limit)
}

// NextScheduled implements app.ScheduleStore.
func (s *ScheduleStore) NextScheduled(ctx context.Context) (time.Time, bool, error) {
	var ms sql.NullInt64
	if err := s.db.readQueryRow(ctx, `SELECT min(deliver_at) FROM scheduled_events`).Scan(&ms); err != nil {
		return time.Time{}, false, internal(err, "next scheduled event")
	}
	if !ms.Valid {
		return time.Time{}, false, nil
	}
	return fromMillis(ms.Int64), true, nil
}

// CountScheduled implements app.ScheduleStore.
func (s *ScheduleStore) CountScheduled(ctx context.Context) (int, error) {
	var n int
	err := s.db.readQueryRow(ctx, `SELECT count(*) FROM scheduled_events`).Scan(&n)
	return n, internal(err, "count scheduled events")
}

func (s *ScheduleStore) list(ctx context.Context, query string, args ...any) ([]*app.ScheduledEvent, error) {
	rows, err := s.db.readQuery(ctx, query, args...)
	if err != nil {
		return nil, internal(err, "list scheduled events")
	}
	out := []*app.ScheduledEvent{}
	err = eachRow(rows, func() error {
		var e app.ScheduledEvent
		var ev string
		var at, created int64
		if err := rows.Scan(&e.ID, &e.UserID, &e.AsSystem, &ev, &at, &created); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(ev), &e.Event); err != nil {
			return errors.Join(fmt.Errorf("scheduled event %s", e.ID), err)
		}
		e.DeliverAt, e.CreatedAt = fromMillis(at), fromMillis(created)
		out = append(out, &e)
		return nil
	})
	return out, internal(err, "list scheduled events")
}
