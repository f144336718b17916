package db

import (
	"context"
	"database/sql"
	"time"

	"github.com/belfry/belfry/app"
)

var _ app.MuteStore = (*MuteStore)(nil)

// MuteStore implements app.MuteStore. A mute whose valid_till lies at or
// before now is expired: lookups ignore it until DeleteExpiredMutes removes
// it. It is safe for concurrent use.
type MuteStore struct {
	db *DB
}

// NewMuteStore returns a MuteStore on d.
func NewMuteStore(d *DB) *MuteStore { return &MuteStore{db: d} }

const muteColumns = `id, user_id, app_label, model_name, object_id, valid_till, created_at`

// activeMute is the condition of a mute still in force at the bound time.
const activeMute = `(valid_till IS NULL OR valid_till > ?)`

// CreateMute mutes m.Object for m.UserID. Muting an object again replaces
// valid_till and keeps the existing mute's ID and CreatedAt, which are
// written back into m. Errors: EINVALID for an incomplete object, ENOTFOUND
// when the user does not exist.
func (s *MuteStore) CreateMute(ctx context.Context, m *app.Mute) error {
	if err := m.Object.Validate(); err != nil {
		return err
	}
	if m.ID == "" {
		m.ID = newID()
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.db.Now()
	}
	m.CreatedAt = msTime(m.CreatedAt)
	if m.ValidTill != nil {
		t := msTime(*m.ValidTill)
		m.ValidTill = &t
	}
	var id string
	var created int64
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRow(`INSERT INTO mutes (`+muteColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (app_label, model_name, object_id, user_id) DO UPDATE SET valid_till = excluded.valid_till
			RETURNING id, created_at`,
			m.ID, m.UserID, m.Object.AppLabel, m.Object.ModelName, m.Object.ObjectID,
			nullMillis(m.ValidTill), millis(m.CreatedAt)).Scan(&id, &created)
	})
	switch {
	case isForeignKeyViolation(err):
		return app.Errorf(app.ENOTFOUND, "User not found.")
	case isUniqueViolation(err):
		return app.Errorf(app.ECONFLICT, "A mute with this id already exists.")
	case err != nil:
		return internal(err, "create mute")
	}
	m.ID, m.CreatedAt = id, fromMillis(created)
	return nil
}

func scanMute(r rowScanner) (*app.Mute, error) {
	var m app.Mute
	var till sql.NullInt64
	var created int64
	err := r.Scan(&m.ID, &m.UserID, &m.Object.AppLabel, &m.Object.ModelName, &m.Object.ObjectID, &till, &created)
	if err != nil {
		return nil, err
	}
	m.ValidTill, m.CreatedAt = timePtr(till), fromMillis(created)
	return &m, nil
}

// ListMutes returns userID's active mutes, newest first, never nil.
func (s *MuteStore) ListMutes(ctx context.Context, userID string) ([]*app.Mute, error) {
	rows, err := s.db.readQuery(ctx, `SELECT `+muteColumns+` FROM mutes
		WHERE user_id = ? AND `+activeMute+` ORDER BY created_at DESC, id DESC`, userID, millis(s.db.Now()))
	if err != nil {
		return nil, internal(err, "list mutes")
	}
	out := []*app.Mute{}
	err = eachRow(rows, func() error {
		m, err := scanMute(rows)
		if err == nil {
			out = append(out, m)
		}
		return err
	})
	if err != nil {
		return nil, internal(err, "list mutes")
	}
	return out, nil
}

// DeleteMute deletes userID's mute id. Errors: ENOTFOUND, also for another
// user's mute.
func (s *MuteStore) DeleteMute(ctx context.Context, userID, id string) error {
	n, err := writeCount(ctx, s.db, `DELETE FROM mutes WHERE id = ? AND user_id = ?`, id, userID)
	if err == nil && n == 0 {
		return app.Errorf(app.ENOTFOUND, "Mute not found.")
	}
	return internal(err, "delete mute")
}

// FindMute returns userID's active mute of obj. Errors: ENOTFOUND when there
// is none or it expired.
func (s *MuteStore) FindMute(ctx context.Context, userID string, obj app.ObjectRef) (*app.Mute, error) {
	m, err := scanMute(s.db.readQueryRow(ctx, `SELECT `+muteColumns+` FROM mutes
		WHERE app_label = ? AND model_name = ? AND object_id = ? AND user_id = ? AND `+activeMute,
		obj.AppLabel, obj.ModelName, obj.ObjectID, userID, millis(s.db.Now())))
	if err != nil {
		return nil, internal(notFound(err, "", "Mute not found."), "find mute")
	}
	return m, nil
}

// MutedUsers returns the ids among userIDs that have an active mute of obj,
// mapped to true, asking one query per 500 ids.
func (s *MuteStore) MutedUsers(ctx context.Context, obj app.ObjectRef, userIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	now := millis(s.db.Now())
	for _, chunk := range inChunks(userIDs) {
		args := append([]any{obj.AppLabel, obj.ModelName, obj.ObjectID, now}, anySlice(chunk)...)
		rows, err := s.db.readQuery(ctx, `SELECT user_id FROM mutes
			WHERE app_label = ? AND model_name = ? AND object_id = ? AND `+activeMute+`
			AND user_id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, internal(err, "find muted users")
		}
		err = eachRow(rows, func() error {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out[id] = true
			return nil
		})
		if err != nil {
			return nil, internal(err, "find muted users")
		}
	}
	return out, nil
}

// DeleteExpiredMutes deletes mutes that expired at or before now and returns
// how many.
func (s *MuteStore) DeleteExpiredMutes(ctx context.Context, now time.Time) (int, error) {
	n, err := writeCount(ctx, s.db, `DELETE FROM mutes WHERE valid_till IS NOT NULL AND valid_till <= ?`, millis(now))
	return n, internal(err, "delete expired mutes")
}
