package db

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/belfry/belfry/app"
)

var _ app.HeartbeatStore = (*HeartbeatStore)(nil)

// HeartbeatStore implements app.HeartbeatStore on the heartbeats and
// heartbeat_pings tables of migration 00012. It is safe for concurrent use.
type HeartbeatStore struct {
	db *DB
}

// NewHeartbeatStore returns a HeartbeatStore on d.
func NewHeartbeatStore(d *DB) *HeartbeatStore { return &HeartbeatStore{db: d} }

const heartbeatColumns = `id, user_id, name, ping_key, period_ms, schedule, timezone, grace_ms, type, level, state,
	last_ping, last_success, started_at, deadline, alert_id, created_at, updated_at`

// CreateHeartbeat implements app.HeartbeatStore.
func (s *HeartbeatStore) CreateHeartbeat(ctx context.Context, h *app.Heartbeat) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM heartbeats WHERE user_id = ?`, h.UserID).Scan(&n); err != nil {
			return err
		}
		if n >= app.MaxHeartbeatsPerUser {
			return app.Errorf(app.ECONFLICT, "You have %d checks, the most one user may have; delete one first.", n)
		}
		_, err := tx.Exec(`INSERT INTO heartbeats (`+heartbeatColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			h.ID, h.UserID, h.Name, h.Key, h.Period.Milliseconds(), h.Schedule, h.Timezone, h.Grace.Milliseconds(),
			h.Type, string(h.Level), string(h.State), nullMillis(h.LastPing), nullMillis(h.LastSuccess),
			nullMillis(h.StartedAt), nullMillis(h.Deadline), h.AlertID, millis(h.CreatedAt), millis(h.UpdatedAt))
		return err
	})
	if isForeignKeyViolation(err) {
		return app.Errorf(app.ENOTFOUND, "User not found.")
	}
	return internal(err, "create heartbeat")
}

// ListHeartbeats implements app.HeartbeatStore.
func (s *HeartbeatStore) ListHeartbeats(ctx context.Context, userID string) ([]*app.Heartbeat, error) {
	return s.list(ctx, `SELECT `+heartbeatColumns+` FROM heartbeats WHERE user_id = ? ORDER BY name, id`, userID)
}

// FindHeartbeat implements app.HeartbeatStore.
func (s *HeartbeatStore) FindHeartbeat(ctx context.Context, userID, id string) (*app.Heartbeat, error) {
	return s.one(ctx, `SELECT `+heartbeatColumns+` FROM heartbeats WHERE id = ? AND user_id = ?`, id, userID)
}

// FindHeartbeatByKey implements app.HeartbeatStore.
func (s *HeartbeatStore) FindHeartbeatByKey(ctx context.Context, key string) (*app.Heartbeat, error) {
	return s.one(ctx, `SELECT `+heartbeatColumns+` FROM heartbeats WHERE ping_key = ?`, key)
}

// DueHeartbeats implements app.HeartbeatStore.
func (s *HeartbeatStore) DueHeartbeats(ctx context.Context, now time.Time, limit int) ([]*app.Heartbeat, error) {
	return s.list(ctx, `SELECT `+heartbeatColumns+` FROM heartbeats WHERE deadline IS NOT NULL AND deadline <= ?
		ORDER BY deadline, id LIMIT ?`, millis(now), limit)
}

// NextHeartbeatDeadline implements app.HeartbeatStore.
func (s *HeartbeatStore) NextHeartbeatDeadline(ctx context.Context) (time.Time, bool, error) {
	var ms sql.NullInt64
	if err := s.db.readQueryRow(ctx, `SELECT min(deadline) FROM heartbeats WHERE deadline IS NOT NULL`).Scan(&ms); err != nil {
		return time.Time{}, false, internal(err, "next heartbeat deadline")
	}
	if !ms.Valid {
		return time.Time{}, false, nil
	}
	return fromMillis(ms.Int64), true, nil
}

// SaveHeartbeat implements app.HeartbeatStore. Errors: ENOTFOUND when the
// check was deleted meanwhile.
func (s *HeartbeatStore) SaveHeartbeat(ctx context.Context, h *app.Heartbeat, p *app.HeartbeatPing) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE heartbeats SET name = ?, ping_key = ?, period_ms = ?, schedule = ?, timezone = ?,
			grace_ms = ?, type = ?, level = ?, state = ?, last_ping = ?, last_success = ?, started_at = ?, deadline = ?,
			alert_id = ?, updated_at = ? WHERE id = ?`,
			h.Name, h.Key, h.Period.Milliseconds(), h.Schedule, h.Timezone, h.Grace.Milliseconds(), h.Type,
			string(h.Level), string(h.State), nullMillis(h.LastPing), nullMillis(h.LastSuccess), nullMillis(h.StartedAt),
			nullMillis(h.Deadline), h.AlertID, millis(h.UpdatedAt), h.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return app.Errorf(app.ENOTFOUND, "Check not found.")
		}
		if p == nil {
			return nil
		}
		var status any
		if p.ExitStatus != nil {
			status = *p.ExitStatus
		}
		if _, err := tx.Exec(`INSERT INTO heartbeat_pings (heartbeat_id, at, kind, exit_status, body, run_id, method, remote, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, h.ID, millis(p.At), p.Kind, status, p.Body, p.RunID, p.Method, p.Remote, p.UserAgent); err != nil {
			return err
		}
		_, err = tx.Exec(`DELETE FROM heartbeat_pings WHERE heartbeat_id = ? AND seq <= (SELECT seq FROM heartbeat_pings
			WHERE heartbeat_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`, h.ID, h.ID, app.HeartbeatLogSize)
		return err
	})
	return internal(err, "save heartbeat")
}

// DeleteHeartbeat implements app.HeartbeatStore.
func (s *HeartbeatStore) DeleteHeartbeat(ctx context.Context, userID, id string) error {
	n, err := writeCount(ctx, s.db, `DELETE FROM heartbeats WHERE id = ? AND user_id = ?`, id, userID)
	if err == nil && n == 0 {
		return app.Errorf(app.ENOTFOUND, "Check not found.")
	}
	return internal(err, "delete heartbeat")
}

// HeartbeatLog implements app.HeartbeatStore.
func (s *HeartbeatStore) HeartbeatLog(ctx context.Context, id string, limit int) ([]app.HeartbeatPing, error) {
	rows, err := s.db.readQuery(ctx, `SELECT at, kind, exit_status, body, run_id, method, remote, user_agent
		FROM heartbeat_pings WHERE heartbeat_id = ? ORDER BY seq DESC LIMIT ?`, id, limit)
	if err != nil {
		return nil, internal(err, "heartbeat log")
	}
	out := []app.HeartbeatPing{}
	err = eachRow(rows, func() error {
		var p app.HeartbeatPing
		var at int64
		var status sql.NullInt64
		if err := rows.Scan(&at, &p.Kind, &status, &p.Body, &p.RunID, &p.Method, &p.Remote, &p.UserAgent); err != nil {
			return err
		}
		p.At = fromMillis(at)
		if status.Valid {
			v := int(status.Int64)
			p.ExitStatus = &v
		}
		out = append(out, p)
		return nil
	})
	return out, internal(err, "heartbeat log")
}

func (s *HeartbeatStore) one(ctx context.Context, query string, args ...any) (*app.Heartbeat, error) {
	hs, err := s.list(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	if len(hs) == 0 {
		return nil, app.Errorf(app.ENOTFOUND, "Check not found.")
	}
	return hs[0], nil
}

func (s *HeartbeatStore) list(ctx context.Context, query string, args ...any) ([]*app.Heartbeat, error) {
	rows, err := s.db.readQuery(ctx, query, args...)
	if err != nil {
		return nil, internal(err, "list heartbeats")
	}
	out := []*app.Heartbeat{}
	err = eachRow(rows, func() error {
		h, err := scanHeartbeat(rows)
		if err == nil {
			out = append(out, h)
		}
		return err
	})
	return out, internal(err, "list heartbeats")
}

func scanHeartbeat(rows *sql.Rows) (*app.Heartbeat, error) {
	var h app.Heartbeat
	var period, grace, created, updated int64
	var level, state string
	var lastPing, lastSuccess, started, deadline sql.NullInt64
	if err := rows.Scan(&h.ID, &h.UserID, &h.Name, &h.Key, &period, &h.Schedule, &h.Timezone, &grace, &h.Type, &level, &state,
		&lastPing, &lastSuccess, &started, &deadline, &h.AlertID, &created, &updated); err != nil {
		return nil, errors.Join(errors.New("scan heartbeat"), err)
	}
	h.Period, h.Grace = time.Duration(period)*time.Millisecond, time.Duration(grace)*time.Millisecond
	h.Level, h.State = app.Level(level), app.HeartbeatState(state)
	h.LastPing, h.LastSuccess, h.StartedAt, h.Deadline = timePtr(lastPing), timePtr(lastSuccess), timePtr(started), timePtr(deadline)
	h.CreatedAt, h.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &h, nil
}
