package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/belfry/belfry/app"
)

var _ app.UserStore = (*UserStore)(nil)

// UserStore implements app.UserStore. Usernames are unique without regard to
// ASCII case. It is safe for concurrent use.
type UserStore struct {
	db *DB
}

// NewUserStore returns a UserStore on d.
func NewUserStore(d *DB) *UserStore { return &UserStore{db: d} }

const userColumns = `id, username, is_admin, password_hash, created_at, email, temporary_password`

// CreateUser stores u, filling a missing ID (UUIDv7) and CreatedAt (now) in
// place. Errors: ECONFLICT when the username is taken in any letter case.
func (s *UserStore) CreateUser(ctx context.Context, u *app.User) error {
	if u.ID == "" {
		u.ID = newID()
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = s.db.Now()
	}
	u.CreatedAt = msTime(u.CreatedAt)
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.Username, u.IsAdmin, u.PasswordHash, millis(u.CreatedAt), u.Email, u.TemporaryPassword)
		return err
	})
	if isUniqueViolation(err) {
		return app.Errorf(app.ECONFLICT, "Username %q is taken.", u.Username)
	}
	return internal(err, "create user")
}

func scanUser(r rowScanner) (*app.User, error) {
	var u app.User
	var created int64
	if err := r.Scan(&u.ID, &u.Username, &u.IsAdmin, &u.PasswordHash, &created, &u.Email, &u.TemporaryPassword); err != nil {
		return nil, err
	}
	u.CreatedAt = fromMillis(created)
	return &u, nil
}

// FindUserByID returns the user id. Errors: ENOTFOUND.
func (s *UserStore) FindUserByID(ctx context.Context, id string) (*app.User, error) {
	u, err := scanUser(s.db.readQueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return nil, internal(notFound(err, "", "User not found."), "find user")
	}
	return u, nil
}

// FindUserByName returns the user called username in any letter case.
// Errors: ENOTFOUND.
func (s *UserStore) FindUserByName(ctx context.Context, username string) (*app.User, error) {
	u, err := scanUser(s.db.readQueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username))
	if err != nil {
		return nil, internal(notFound(err, "", fmt.Sprintf("User %q not found.", username)), "find user")
	}
	return u, nil
}

// FindUsersByName returns the users called usernames (any letter case), in
// the order given and without duplicates. Errors: ENOTFOUND naming the first
// name that matches no user.
func (s *UserStore) FindUsersByName(ctx context.Context, usernames []string) ([]*app.User, error) {
	byName := make(map[string]*app.User, len(usernames))
	for _, chunk := range inChunks(usernames) {
		rows, err := s.db.readQuery(ctx,
			`SELECT `+userColumns+` FROM users WHERE username IN (`+placeholders(len(chunk))+`)`, anySlice(chunk)...)
		if err != nil {
			return nil, internal(err, "find users")
		}
		err = eachRow(rows, func() error {
			u, err := scanUser(rows)
			if err == nil {
				byName[foldASCII(u.Username)] = u
			}
			return err
		})
		if err != nil {
			return nil, internal(err, "find users")
		}
	}
	out := make([]*app.User, 0, len(usernames))
	seen := make(map[string]bool, len(usernames))
	for _, name := range usernames {
		key := foldASCII(name)
		u, ok := byName[key]
		if !ok {
			return nil, app.Errorf(app.ENOTFOUND, "User %q not found.", name)
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, u)
		}
	}
	return out, nil
}

// ListUsers returns every user ordered by username.
func (s *UserStore) ListUsers(ctx context.Context) ([]*app.User, error) {
	rows, err := s.db.readQuery(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, internal(err, "list users")
	}
	out := []*app.User{}
	err = eachRow(rows, func() error {
		u, err := scanUser(rows)
		if err == nil {
			out = append(out, u)
		}
		return err
	})
	if err != nil {
		return nil, internal(err, "list users")
	}
	return out, nil
}

// CountUsers returns how many users exist.
func (s *UserStore) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.readQueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, internal(err, "count users")
}

// UpdatePassword replaces the password hash of user id and records whether
// the password is temporary. Errors: ENOTFOUND.
func (s *UserStore) UpdatePassword(ctx context.Context, id, hash string, temporary bool) error {
	n, err := writeCount(ctx, s.db, `UPDATE users SET password_hash = ?, temporary_password = ? WHERE id = ?`, hash, temporary, id)
	if err == nil && n == 0 {
		return app.Errorf(app.ENOTFOUND, "User not found.")
	}
	return internal(err, "update password")
}

// SetAdmin sets whether user id is an administrator. Errors: ENOTFOUND.
func (s *UserStore) SetAdmin(ctx context.Context, id string, admin bool) error {
	n, err := writeCount(ctx, s.db, `UPDATE users SET is_admin = ? WHERE id = ?`, admin, id)
	if err == nil && n == 0 {
		return app.Errorf(app.ENOTFOUND, "User not found.")
	}
	return internal(err, "set admin")
}

// DeleteUser removes user id; foreign keys cascade to their notifications,
// tokens, sessions, preferences and mutes. Errors: ENOTFOUND.
func (s *UserStore) DeleteUser(ctx context.Context, id string) error {
	n, err := writeCount(ctx, s.db, `DELETE FROM users WHERE id = ?`, id)
	if err == nil && n == 0 {
		return app.Errorf(app.ENOTFOUND, "User not found.")
	}
	return internal(err, "delete user")
}

// eachRow calls fn for every row, then closes rows and returns the first
// error.
func eachRow(rows *sql.Rows, fn func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// foldASCII lower-cases ASCII letters only, as SQLite's NOCASE collation does.
func foldASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
