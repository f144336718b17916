package app

import (
	"context"
	"regexp"
	"time"
)

// User is a person who receives notifications.
type User struct {
	ID           string    `json:"id"`
	Username     string    `json:"username"`
	IsAdmin      bool      `json:"is_admin"`
	Email        string    `json:"email"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	// TemporaryPassword is true while the password was set by someone
	// else (printed at the first start or by belfry user passwd, or set by
	// an administrator); the UI asks the user to choose their own.
	TemporaryPassword bool `json:"temporary_password"`
}

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidateUsername returns EINVALID unless name is 1–64 letters, digits, dots,
// dashes or underscores, starting with a letter or digit.
func ValidateUsername(name string) error {
	if !usernamePattern.MatchString(name) {
		return Errorf(EINVALID, "Username %q must be 1 to 64 letters, digits, dots, dashes or underscores.", name)
	}
	return nil
}

// ValidatePassword returns EINVALID for a password shorter than 8 or longer
// than 1024 bytes.
func ValidatePassword(pw string) error {
	if len(pw) < 8 {
		return Errorf(EINVALID, "Password must be at least 8 characters long.")
	}
	if len(pw) > 1024 {
		return Errorf(EINVALID, "Password must be at most 1024 bytes long.")
	}
	return nil
}

// UserStore persists users. CreateUser returns ECONFLICT for a taken name;
// lookups return ENOTFOUND.
type UserStore interface {
	CreateUser(ctx context.Context, u *User) error
	FindUserByID(ctx context.Context, id string) (*User, error)
	FindUserByName(ctx context.Context, username string) (*User, error)
	FindUsersByName(ctx context.Context, usernames []string) ([]*User, error)
	ListUsers(ctx context.Context) ([]*User, error)
	CountUsers(ctx context.Context) (int, error)
	// UpdatePassword replaces a password hash; temporary records whether
	// the password was set by someone else (User.TemporaryPassword).
	UpdatePassword(ctx context.Context, id, hash string, temporary bool) error
	// SetAdmin makes user id an administrator or not.
	SetAdmin(ctx context.Context, id string, admin bool) error
	// DeleteUser removes the user with their notifications, tokens and sessions.
	DeleteUser(ctx context.Context, id string) error
}
