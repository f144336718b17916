package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
)

var _ app.EscalationStore = (*EscalationStore)(nil)

// EscalationStore implements app.EscalationStore: the users' escalation
// rules, the ladders in flight (written in the dispatch's transaction, see
// insertEscalations) and the steps taken. It is safe for concurrent use.
type EscalationStore struct {
	db *DB
}

// NewEscalationStore returns an EscalationStore on d.
func NewEscalationStore(d *DB) *EscalationStore { return &EscalationStore{db: d} }

const escalationRuleColumns = `id, user_id, type, min_level, steps, created_at, updated_at`

func scanEscalationRule(r rowScanner) (*app.EscalationRule, error) {
	var rule app.EscalationRule
	var level, steps string
	var created, updated int64
	if err := r.Scan(&rule.ID, &rule.UserID, &rule.Type, &level, &steps, &created, &updated); err != nil {
		return nil, err
	}
	rule.MinLevel = app.Level(level)
	rule.CreatedAt, rule.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &rule, json.Unmarshal([]byte(steps), &rule.Steps)
}

// ListEscalationRules returns userID's rules, oldest first, never nil.
func (s *EscalationStore) ListEscalationRules(ctx context.Context, userID string) ([]*app.EscalationRule, error) {
	all, err := s.EscalationRulesFor(ctx, []string{userID})
	return nonNil(all[userID]), err
}

// EscalationRulesFor returns the rules of userIDs, each user's oldest
// first, one query per 500 users.
func (s *EscalationStore) EscalationRulesFor(ctx context.Context, userIDs []string) (map[string][]*app.EscalationRule, error) {
	out := map[string][]*app.EscalationRule{}
	for _, chunk := range inChunks(userIDs) {
		rows, err := s.db.readQuery(ctx, `SELECT `+escalationRuleColumns+` FROM escalation_rules
			WHERE user_id IN (`+placeholders(len(chunk))+`) ORDER BY user_id, created_at, id`, anySlice(chunk)...)
		if err != nil {
			return nil, internal(err, "load escalation rules")
		}
		err = eachRow(rows, func() error {
			r, err := scanEscalationRule(rows)
			if err == nil {
				out[r.UserID] = append(out[r.UserID], r)
			}
			return err
		})
		if err != nil {
			return nil, internal(err, "load escalation rules")
		}
	}
	return out, nil
}

// CreateEscalationRule stores r with a fresh id and its times. Errors:
// ENOTFOUND when the user does not exist.
func (s *EscalationStore) CreateEscalationRule(ctx context.Context, r *app.EscalationRule) error {
	steps, err := json.Marshal(r.Steps)
	if err != nil {
		return internal(err, "encode escalation steps")
	}
	r.ID = newID()
	r.CreatedAt = msTime(s.db.Now())
	r.UpdatedAt = r.CreatedAt
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO escalation_rules (`+escalationRuleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.UserID, r.Type, string(r.MinLevel), string(steps), millis(r.CreatedAt), millis(r.UpdatedAt))
		return err
	})
	if isForeignKeyViolation(err) {
		return app.Errorf(app.ENOTFOUND, "User not found.")
	}
	return internal(err, "create escalation rule")
}

func ruleNotFound() error {
	return app.Errorf(app.ENOTFOUND, "Escalation rule not found.")
}

// UpdateEscalationRule replaces the type, level and steps of r.UserID's
// rule r.ID and sets r's times as stored. Ladders already started keep
// the steps they started with. Errors: ENOTFOUND.
func (s *EscalationStore) UpdateEscalationRule(ctx context.Context, r *app.EscalationRule) error {
	steps, err := json.Marshal(r.Steps)
	if err != nil {
		return internal(err, "encode escalation steps")
	}
	r.UpdatedAt = msTime(s.db.Now())
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		var created int64
		err := tx.QueryRow(`UPDATE escalation_rules SET type = ?, min_level = ?, steps = ?, updated_at = ?
			WHERE id = ? AND user_id = ? RETURNING created_at`,
			r.Type, string(r.MinLevel), string(steps), millis(r.UpdatedAt), r.ID, r.UserID).Scan(&created)
		r.CreatedAt = fromMillis(created)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return ruleNotFound()
	}
	return internal(err, "update escalation rule")
}

// DeleteEscalationRule removes userID's rule id and cancels its active
// ladders (reason "rule deleted"), in one write. Errors: ENOTFOUND.
func (s *EscalationStore) DeleteEscalationRule(ctx context.Context, userID, id string, now time.Time) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`DELETE FROM escalation_rules WHERE id = ? AND user_id = ?`, id, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ruleNotFound()
		}
		_, err = tx.Exec(`UPDATE escalations SET state = 'cancelled', reason = 'rule deleted', ended_at = ?
			WHERE rule_id = ? AND state = 'active'`, millis(now), id)
		return err
	})
	if app.ErrorKind(err) == app.ENOTFOUND {
		return err
	}
	return internal(err, "delete escalation rule")
}

// insertEscalations writes the ladders a dispatch starts inside its tx.
func insertEscalations(tx *sql.Tx, es []*app.Escalation) error {
	if len(es) == 0 {
		return nil
	}
	stmt, err := tx.Prepare(`INSERT INTO escalations (notification_id, user_id, rule_id, steps, channels, next_step, due_at, state, started_at)
		VALUES (?, ?, ?, ?, ?, 0, ?, 'active', ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, e := range es {
		steps, err := json.Marshal(e.Steps)
		if err != nil {
			return err
		}
		channels, err := json.Marshal(nonNil(e.Channels))
		if err != nil {
			return err
		}
		if _, err := stmt.Exec(e.NotificationID, e.UserID, e.RuleID, string(steps), string(channels), millis(e.DueAt), millis(e.StartedAt)); err != nil {
			return err
		}
	}
	return nil
}

const escalationColumns = `notification_id, user_id, rule_id, steps, channels, next_step, due_at, state, reason, started_at, ended_at`

func scanEscalation(r rowScanner) (*app.Escalation, error) {
	var e app.Escalation
	var steps, channels string
	var due, started int64
	var ended sql.NullInt64
	if err := r.Scan(&e.NotificationID, &e.UserID, &e.RuleID, &steps, &channels, &e.Next, &due, &e.State, &e.Reason, &started, &ended); err != nil {
		return nil, err
	}
	e.DueAt, e.StartedAt, e.EndedAt = fromMillis(due), fromMillis(started), timePtr(ended)
	if err := json.Unmarshal([]byte(steps), &e.Steps); err != nil {
		return nil, err
	}
	return &e, json.Unmarshal([]byte(channels), &e.Channels)
}

// NextEscalationDue returns the earliest due time of an active ladder.
func (s *EscalationStore) NextEscalationDue(ctx context.Context) (time.Time, bool, error) {
	var due sql.NullInt64
	if err := s.db.readQueryRow(ctx, `SELECT MIN(due_at) FROM escalations WHERE state = 'active'`).Scan(&due); err != nil {
		return time.Time{}, false, internal(err, "next escalation due")
	}
	if !due.Valid {
		return time.Time{}, false, nil
	}
	return fromMillis(due.Int64), true, nil
}

// DueEscalations returns up to limit active ladders due at now, earliest
// first, each with its notification.
func (s *EscalationStore) DueEscalations(ctx context.Context, now time.Time, limit int) ([]app.EscalationDue, error) {
	rows, err := s.db.readQuery(ctx, `SELECT `+escalationColumns+` FROM escalations
		WHERE state = 'active' AND due_at <= ? ORDER BY due_at, notification_id LIMIT ?`, millis(now), limit)
	if err != nil {
		return nil, internal(err, "due escalations")
	}
	var out []app.EscalationDue
	index := map[string]int{}
	var ids []string
	err = eachRow(rows, func() error {
		e, err := scanEscalation(rows)
		if err == nil {
			index[e.NotificationID] = len(out)
			ids = append(ids, e.NotificationID)
			out = append(out, app.EscalationDue{Escalation: e})
		}
		return err
	})
	if err != nil || len(ids) == 0 {
		return out, internal(err, "due escalations")
	}
	rows, err = s.db.readQuery(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE id IN (`+placeholders(len(ids))+`)`, anySlice(ids)...)
	if err != nil {
		return nil, internal(err, "due escalations")
	}
	err = eachRow(rows, func() error {
		n, err := scanNotification(rows)
		if err == nil {
			out[index[n.ID]].Notification = n
		}
		return err
	})
	return out, internal(err, "due escalations")
}

// TakeEscalationStep implements app.EscalationStore.
func (s *EscalationStore) TakeEscalationStep(ctx context.Context, e *app.Escalation, sent []app.EscalationSent, out app.Outbox, now time.Time) (bool, error) {
	taken := false
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		taken = false
		var read, acked sql.NullInt64
		err := tx.QueryRow(`SELECT n.read_at, n.acknowledged_at FROM escalations e JOIN notifications n ON n.id = e.notification_id
			WHERE e.notification_id = ? AND e.state = 'active' AND e.next_step = ?`, e.NotificationID, e.Next).Scan(&read, &acked)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // taken or cancelled meanwhile, or deleted with its notification
		}
		if err != nil {
			return err
		}
		if read.Valid || acked.Valid {
			return cancelEscalation(tx, e.NotificationID, reasonOf(acked), now)
		}
		for i, x := range sent {
			if _, err := tx.Exec(`INSERT INTO escalation_steps (notification_id, step, seq, action, channel, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				e.NotificationID, e.Next+1, i, x.Action, x.Channel, x.Detail, millis(now)); err != nil {
				return err
			}
		}
		if err := insertDeliveries(tx, out.Webhooks); err != nil {
			return err
		}
		if err := insertEmails(tx, out.Emails); err != nil {
			return err
		}
		if _, err := insertPushes(tx, out.Pushes); err != nil {
			return err
		}
		next := e.Next + 1
		if next >= len(e.Steps) {
			_, err = tx.Exec(`UPDATE escalations SET next_step = ?, state = 'done', ended_at = ? WHERE notification_id = ?`,
				next, millis(now), e.NotificationID)
		} else {
			_, err = tx.Exec(`UPDATE escalations SET next_step = ?, due_at = ? WHERE notification_id = ?`,
				next, millis(now.Add(e.Steps[next].Delay())), e.NotificationID)
		}
		taken = err == nil
		return err
	})
	return taken, internal(err, "take escalation step")
}

// reasonOf is why a ladder stops: its notification was acknowledged or read.
func reasonOf(acked sql.NullInt64) string {
	if acked.Valid {
		return "acknowledged"
	}
	return "read"
}

func cancelEscalation(tx *sql.Tx, id, reason string, now time.Time) error {
	_, err := tx.Exec(`UPDATE escalations SET state = 'cancelled', reason = ?, ended_at = ? WHERE notification_id = ? AND state = 'active'`,
		reason, millis(now), id)
	return err
}

// NoteEscalationStep appends detail to the records of step.
func (s *EscalationStore) NoteEscalationStep(ctx context.Context, notificationID string, step int, detail string) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE escalation_steps SET detail = detail || ? WHERE notification_id = ? AND step = ?`,
			detail, notificationID, step)
		return err
	})
	return internal(err, "note escalation step")
}

// CancelEscalations cancels userID's active ladders whose notification is
// read or acknowledged. It reads first, so a change that stops nothing
// (the common case) costs no write.
func (s *EscalationStore) CancelEscalations(ctx context.Context, userID string, now time.Time) (int, error) {
	const stopped = `SELECT e.notification_id, n.read_at, n.acknowledged_at FROM escalations e JOIN notifications n ON n.id = e.notification_id
		WHERE e.user_id = ? AND e.state = 'active' AND (n.read_at IS NOT NULL OR n.acknowledged_at IS NOT NULL)`
	var any bool
	if err := s.db.readQueryRow(ctx, `SELECT EXISTS (`+stopped+`)`, userID).Scan(&any); err != nil || !any {
		return 0, internal(err, "cancel escalations")
	}
	n := 0
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		n = 0
		rows, err := tx.Query(stopped, userID)
		if err != nil {
			return err
		}
		type stop struct {
			id     string
			reason string
		}
		var stops []stop
		err = eachRow(rows, func() error {
			var x stop
			var read, acked sql.NullInt64
			err := rows.Scan(&x.id, &read, &acked)
			x.reason = reasonOf(acked)
			stops = append(stops, x)
			return err
		})
		if err != nil {
			return err
		}
		for _, x := range stops {
			if err := cancelEscalation(tx, x.id, x.reason, now); err != nil {
				return err
			}
		}
		n = len(stops)
		return nil
	})
	return n, internal(err, "cancel escalations")
}

// FindEscalation returns the ladder of userID's notification id and the
// steps taken, oldest first, in one statement: one snapshot, so the steps
// always match the ladder's state.
func (s *EscalationStore) FindEscalation(ctx context.Context, userID, id string) (*app.Escalation, []app.EscalationSent, bool, error) {
	rows, err := s.db.readQuery(ctx, `SELECT `+prefixed("e.", escalationColumns)+`, x.step, x.action, x.channel, x.detail, x.at
		FROM escalations e LEFT JOIN escalation_steps x ON x.notification_id = e.notification_id
		WHERE e.notification_id = ? AND e.user_id = ? ORDER BY x.step, x.seq`, id, userID)
	if err != nil {
		return nil, nil, false, internal(err, "find escalation")
	}
	var e *app.Escalation
	sent := []app.EscalationSent{}
	err = eachRow(rows, func() error {
		var x app.EscalationSent
		var step, at sql.NullInt64
		var action, channel, detail sql.NullString
		got, err := scanEscalation(scanWith(rows, &step, &action, &channel, &detail, &at))
		if err != nil {
			return err
		}
		e = got
		if step.Valid {
			x.Step, x.Action, x.Channel, x.Detail, x.At = int(step.Int64), action.String, channel.String, detail.String, fromMillis(at.Int64)
			sent = append(sent, x)
		}
		return nil
	})
	if err != nil {
		return nil, nil, false, internal(err, "find escalation")
	}
	return e, sent, e != nil, nil
}

// prefixed qualifies each column of a comma-separated list with p.
func prefixed(p, columns string) string {
	return p + strings.ReplaceAll(columns, ", ", ", "+p)
}

// scanWith is r scanning extra destinations after the ones asked for.
func scanWith(r rowScanner, extra ...any) rowScanner { return extraScanner{r, extra} }

type extraScanner struct {
	r     rowScanner
	extra []any
}

func (x extraScanner) Scan(dest ...any) error { return x.r.Scan(append(dest, x.extra...)...) }

// EscalationStates returns the ladder states of those of ids (userID's)
// that have one, one query per 500.
func (s *EscalationStore) EscalationStates(ctx context.Context, userID string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, chunk := range inChunks(ids) {
		rows, err := s.db.readQuery(ctx, `SELECT notification_id, state FROM escalations
			WHERE user_id = ? AND notification_id IN (`+placeholders(len(chunk))+`)`, append([]any{userID}, anySlice(chunk)...)...)
		if err != nil {
			return nil, internal(err, "escalation states")
		}
		err = eachRow(rows, func() error {
			var id, state string
			err := rows.Scan(&id, &state)
			out[id] = state
			return err
		})
		if err != nil {
			return nil, internal(err, "escalation states")
		}
	}
	return out, nil
}
