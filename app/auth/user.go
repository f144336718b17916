package auth

import (
	"context"
	"fmt"

	"github.com/belfry/belfry/app"
	"github.com/google/uuid"
)

// AdminUsername is the name of the user EnsureAdmin creates.
const AdminUsername = "admin"

// CreateUser validates username and password and stores a new user with an
// argon2id hash of the password. Errors: EINVALID for a bad name or
// password, ECONFLICT when the name is taken.
func (s *Service) CreateUser(ctx context.Context, username, password string, admin bool) (*app.User, error) {
	if err := app.ValidateUsername(username); err != nil {
		return nil, err
	}
	if err := app.ValidatePassword(password); err != nil {
		return nil, err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return nil, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("user id: %w", err)
	}
	u := &app.User{ID: id.String(), Username: username, IsAdmin: admin, PasswordHash: hash, CreatedAt: s.now().UTC()}
	if err := s.users.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// SetPassword replaces the password of username and ends every browser
// session of that user (their API tokens stay valid). Errors: EINVALID for a
// bad password, ENOTFOUND for an unknown user.
func (s *Service) SetPassword(ctx context.Context, username, password string) error {
	if err := app.ValidatePassword(password); err != nil {
		return err
	}
	u, err := s.users.FindUserByName(ctx, username)
	if err != nil {
		return err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	if err := s.users.UpdatePassword(ctx, u.ID, hash); err != nil {
		return err
	}
	// Whoever knew the old password may hold a session: end them all.
	hashes, err := s.sessions.DeleteUserSessions(ctx, u.ID)
	for _, h := range hashes {
		s.revoked("", sessionCredentialOfHash(h))
	}
	return err
}

// hash is HashPassword in one of the bounded hashing slots.
func (s *Service) hash(ctx context.Context, password string) (hash string, err error) {
	if err := s.hashes.do(ctx, func() { hash, err = HashPassword(password) }); err != nil {
		return "", err
	}
	return hash, err
}

// EnsureAdmin creates the first user on a fresh database: "admin", an
// administrator, with the configured password or, when that is empty, a
// random one that it returns so the caller can print it once. When any user
// exists it does nothing and returns "". A configured password that is too
// short is EINVALID.
func (s *Service) EnsureAdmin(ctx context.Context, configured string) (generated string, err error) {
	n, err := s.users.CountUsers(ctx)
	if err != nil {
		return "", err
	}
	if n > 0 {
		return "", nil
	}
	pw := configured
	if pw == "" {
		generated = randomString(18)
		pw = generated
	}
	if _, err := s.CreateUser(ctx, AdminUsername, pw, true); err != nil {
		if isKind(err, app.ECONFLICT) {
			return "", nil // another process created it first
		}
		if isKind(err, app.EINVALID) {
			return "", app.Errorf(app.EINVALID, "auth.admin_password: %s", app.ErrorMessage(err))
		}
		return "", err
	}
	return generated, nil
}

// DeleteUser removes a user with everything they own and forgets their
// cached tokens at once. Errors: ENOTFOUND for an unknown user.
func (s *Service) DeleteUser(ctx context.Context, id string) error {
	if err := s.users.DeleteUser(ctx, id); err != nil {
		return err
	}
	s.cache.dropUser(id)
	s.revoked(id, "")
	return nil
}
