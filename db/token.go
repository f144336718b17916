package db

import (
	"context"
	"database/sql"
	"time"

	"github.com/belfry/belfry/app"
)

var _ app.TokenStore = (*TokenStore)(nil)

// TokenStore implements app.TokenStore. Only the SHA-256 hash of a token's
// secret is stored. It is safe for concurrent use.
type TokenStore struct {
	db *DB
}

// NewTokenStore returns a TokenStore on d.
func NewTokenStore(d *DB) *TokenStore { return &TokenStore{db: d} }

const tokenColumns = `id, user_id, name, scope, hash, created_at, last_used_at`

// CreateToken stores t, filling a missing ID (UUIDv7) and CreatedAt (now) in
// place. Errors: EINVALID for an unknown scope, ENOTFOUND when the user does
// not exist, ECONFLICT for a hash already in use.
func (s *TokenStore) CreateToken(ctx context.Context, t *app.Token) error {
	if !t.Scope.Valid() {
		return app.Errorf(app.EINVALID, "Token scope must be client, publish or admin, not %q.", t.Scope)
	}
	if t.ID == "" {
		t.ID = newID()
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.db.Now()
	}
	t.CreatedAt = msTime(t.CreatedAt)
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.UserID, t.Name, string(t.Scope), t.Hash, millis(t.CreatedAt), nullMillis(t.LastUsedAt))
		return err
	})
	switch {
	case isUniqueViolation(err):
		return app.Errorf(app.ECONFLICT, "Token already exists.")
	case isForeignKeyViolation(err):
		return app.Errorf(app.ENOTFOUND, "User not found.")
	}
	return internal(err, "create token")
}

func scanToken(r rowScanner) (*app.Token, error) {
	var t app.Token
	var scope string
	var created int64
	var used sql.NullInt64
	if err := r.Scan(&t.ID, &t.UserID, &t.Name, &scope, &t.Hash, &created, &used); err != nil {
		return nil, err
	}
	t.Scope, t.CreatedAt, t.LastUsedAt = app.Scope(scope), fromMillis(created), timePtr(used)
	return &t, nil
}

// FindTokenByHash returns the token whose secret hashes to hash. Errors:
// ENOTFOUND.
func (s *TokenStore) FindTokenByHash(ctx context.Context, hash string) (*app.Token, error) {
	t, err := scanToken(s.db.readQueryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash))
	if err != nil {
		return nil, internal(notFound(err, "", "Token not found."), "find token")
	}
	return t, nil
}

// ListTokens returns userID's tokens, oldest first, never nil.
func (s *TokenStore) ListTokens(ctx context.Context, userID string) ([]*app.Token, error) {
	rows, err := s.db.readQuery(ctx,
		`SELECT `+tokenColumns+` FROM tokens WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, internal(err, "list tokens")
	}
	out := []*app.Token{}
	err = eachRow(rows, func() error {
		t, err := scanToken(rows)
		if err == nil {
			out = append(out, t)
		}
		return err
	})
	if err != nil {
		return nil, internal(err, "list tokens")
	}
	return out, nil
}

// RevokeToken deletes token id; with userID non-empty only when that user
// owns it. Errors: ENOTFOUND, also for another user's token.
func (s *TokenStore) RevokeToken(ctx context.Context, userID, id string) error {
	q, args := `DELETE FROM tokens WHERE id = ?`, []any{id}
	if userID != "" {
		q, args = q+` AND user_id = ?`, append(args, userID)
	}
	n, err := writeCount(ctx, s.db, q, args...)
	if err == nil && n == 0 {
		return app.Errorf(app.ENOTFOUND, "Token not found.")
	}
	return internal(err, "revoke token")
}

// TouchTokens records last-used times of many tokens in one write. A time
// never moves backwards, and ids of revoked tokens are ignored.
func (s *TokenStore) TouchTokens(ctx context.Context, used map[string]time.Time) error {
	if len(used) == 0 {
		return nil
	}
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.Prepare(`UPDATE tokens SET last_used_at = CASE WHEN COALESCE(last_used_at, 0) > ? THEN last_used_at ELSE ? END WHERE id = ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for id, at := range used {
			if _, err := stmt.Exec(millis(at), millis(at), id); err != nil {
				return err
			}
		}
		return nil
	})
	return internal(err, "touch tokens")
}
