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
	return s.createUser(ctx, username, password, admin, false)
}

// createUser is CreateUser with the password marked temporary or not.
func (s *Service) createUser(ctx context.Context, username, password string, admin, temporary bool) (*app.User, error) {
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
	u := &app.User{ID: id.String(), Username: username, IsAdmin: admin, PasswordHash: hash, CreatedAt: s.now().UTC(), TemporaryPassword: temporary}
	if err := s.users.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// SetPassword replaces the password of username and ends every browser
// session of that user (their API tokens stay valid). temporary marks a
// password someone else chose for them (an administrator's reset, a
// printed one): the UI then asks them to choose their own. Errors:
// EINVALID for a bad password, ENOTFOUND for an unknown user.
func (s *Service) SetPassword(ctx context.Context, username, password string, temporary bool) error {
	if err := app.ValidatePassword(password); err != nil {
		return err
	}
	u, err := s.users.FindUserByName(ctx, username)
	if err != nil {
		return err
	}
	// Whoever knew the old password may hold a session: end them all.
	return s.replacePassword(ctx, u, password, temporary, "")
}

// ChangePassword is a signed-in user changing their own password from
// client: current must be their password (a wrong one counts against the
// login limits of client and of the username, as a failed login does),
// next follows the password rules and differs from current. Every other
// browser session of the user ends; the one with cookie keepCookie ("" for
// none, e.g. an API token's caller) stays signed in; API tokens stay valid.
// Errors: EINVALID for a wrong current or bad new password, ERATELIMIT
// after too many wrong ones (with RetryAfter), EUNAVAILABLE when too many
// passwords are being checked.
func (s *Service) ChangePassword(ctx context.Context, client string, caller *app.User, current, next, keepCookie string) error {
	if err := s.throttle.admit(client, caller.Username, s.now()); err != nil {
		return err
	}
	// The stored hash, not a cached copy that a change may have outdated.
	u, err := s.users.FindUserByID(ctx, caller.ID)
	if err != nil {
		return err
	}
	var match bool
	if len(current) <= maxPasswordLen {
		if err := s.hashes.do(ctx, func() { match = CheckPassword(u.PasswordHash, current) }); err != nil {
			return err
		}
	}
	if !match {
		return app.Errorf(app.EINVALID, "Your current password is not right.")
	}
	s.throttle.succeeded(u.Username)
	if err := app.ValidatePassword(next); err != nil {
		return err
	}
	if next == current {
		return app.Errorf(app.EINVALID, "The new password must differ from the current one.")
	}
	keep := ""
	if keepCookie != "" {
		keep = hashSecret(keepCookie)
	}
	return s.replacePassword(ctx, u, next, false, keep)
}

// replacePassword stores password's hash for u and ends u's browser
// sessions but the one with keepHash, closing their live connections.
func (s *Service) replacePassword(ctx context.Context, u *app.User, password string, temporary bool, keepHash string) error {
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	if err := s.users.UpdatePassword(ctx, u.ID, hash, temporary); err != nil {
		return err
	}
	hashes, err := s.sessions.DeleteOtherSessions(ctx, u.ID, keepHash)
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
	// A printed password is temporary: the UI asks to replace it.
	if _, err := s.createUser(ctx, AdminUsername, pw, true, generated != ""); err != nil {
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
