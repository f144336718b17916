package db

import (
	"context"
	"database/sql"
	"time"

	"github.com/belfry/belfry/app"
)

var _ app.SessionStore = (*SessionStore)(nil)

// SessionStore implements app.SessionStore. Sessions are keyed by the
// SHA-256 hash of the cookie; an expired session is never returned. It is
// safe for concurrent use.
type SessionStore struct {
	db *DB
}

// NewSessionStore returns a SessionStore on d.
func NewSessionStore(d *DB) *SessionStore { return &SessionStore{db: d} }

// CreateSession stores s, filling a zero CreatedAt with now. Errors:
// ENOTFOUND when the user does not exist, ECONFLICT for a hash already in
// use.
func (st *SessionStore) CreateSession(ctx context.Context, s *app.Session) error {
	if s.CreatedAt.IsZero() {
		s.CreatedAt = st.db.Now()
	}
	s.CreatedAt, s.ExpiresAt = msTime(s.CreatedAt), msTime(s.ExpiresAt)
	err := st.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO sessions (hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			s.Hash, s.UserID, millis(s.CreatedAt), millis(s.ExpiresAt))
		return err
	})
	switch {
	case isUniqueViolation(err):
		return app.Errorf(app.ECONFLICT, "Session already exists.")
	case isForeignKeyViolation(err):
		return app.Errorf(app.ENOTFOUND, "User not found.")
	}
	return internal(err, "create session")
}

// FindSession returns the session with hash unless it expired at or before
// now. Errors: ENOTFOUND for an unknown or expired session.
func (st *SessionStore) FindSession(ctx context.Context, hash string) (*app.Session, error) {
	s := app.Session{Hash: hash}
	var created, expires int64
	err := st.db.readQueryRow(ctx,
		`SELECT user_id, created_at, expires_at FROM sessions WHERE hash = ? AND expires_at > ?`,
		hash, millis(st.db.Now())).Scan(&s.UserID, &created, &expires)
	if err != nil {
		return nil, internal(notFound(err, "", "Session not found or expired."), "find session")
	}
	s.CreatedAt, s.ExpiresAt = fromMillis(created), fromMillis(expires)
	return &s, nil
}

// DeleteSession deletes the session with hash. Deleting a session that does
// not exist is not an error: logging out twice is harmless.
func (st *SessionStore) DeleteSession(ctx context.Context, hash string) error {
	_, err := writeCount(ctx, st.db, `DELETE FROM sessions WHERE hash = ?`, hash)
	return internal(err, "delete session")
}

// DeleteUserSessions deletes every session of userID and returns their
// hashes, so that connections opened with them can be closed too.
func (st *SessionStore) DeleteUserSessions(ctx context.Context, userID string) ([]string, error) {
	return st.DeleteOtherSessions(ctx, userID, "")
}

// DeleteOtherSessions deletes every session of userID but the one with
// keepHash ("" keeps none) and returns their hashes.
func (st *SessionStore) DeleteOtherSessions(ctx context.Context, userID, keepHash string) ([]string, error) {
	var hashes []string
	err := st.db.Write(ctx, func(tx *sql.Tx) error {
		hashes = hashes[:0] // the function runs once, but keep it re-runnable
		rows, err := tx.Query(`DELETE FROM sessions WHERE user_id = ? AND hash != ? RETURNING hash`, userID, keepHash)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var h string
			if err := rows.Scan(&h); err != nil {
				return err
			}
			hashes = append(hashes, h)
		}
		return rows.Err()
	})
	return hashes, internal(err, "delete user sessions")
}

// DeleteExpiredSessions deletes sessions that expired at or before now and
// returns how many.
func (st *SessionStore) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	n, err := writeCount(ctx, st.db, `DELETE FROM sessions WHERE expires_at <= ?`, millis(now))
	return n, internal(err, "delete expired sessions")
}
