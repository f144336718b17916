package auth

import (
	"context"
	"sync"
	"time"

	"github.com/belfry/belfry/app"
)

// maxPasswordLen bounds what Login hashes; longer inputs cannot match a
// password ValidatePassword accepted.
const maxPasswordLen = 1024

var (
	dummyOnce sync.Once
	dummyHash string
)

// spendHashTime checks pw against a throw-away hash so that a login for an
// unknown user costs as much as one with a wrong password.
func (s *Service) spendHashTime(ctx context.Context, pw string) error {
	dummyOnce.Do(func() { dummyHash, _ = HashPassword(randomString(16)) })
	if err := s.hashes.do(ctx, func() { CheckPassword(dummyHash, pw) }); err != nil {
		return err
	}
	return unauthenticated()
}

// Login checks a username and password sent from the client address
// client and opens a session. It returns the cookie value (shown only to
// the browser; the store keeps its hash) and the user. Errors:
// EUNAUTHENTICATED "Wrong username or password." for an unknown user and
// for a wrong password alike; ERATELIMIT when client or username tried too
// often (auth.login_rate_per_minute, auth.username_failures_per_minute);
// EUNAVAILABLE when too many passwords are being checked at once
// (auth.hash_concurrency). Both carry a RetryAfter.
func (s *Service) Login(ctx context.Context, client, username, password string) (cookie string, u *app.User, err error) {
	if err := s.throttle.admit(client, username, s.now()); err != nil {
		return "", nil, err
	}
	if len(password) > maxPasswordLen || app.ValidateUsername(username) != nil {
		return "", nil, s.spendHashTime(ctx, password[:min(len(password), maxPasswordLen)])
	}
	u, err = s.users.FindUserByName(ctx, username)
	if isKind(err, app.ENOTFOUND) {
		return "", nil, s.spendHashTime(ctx, password)
	}
	if err != nil {
		return "", nil, err
	}
	var match bool
	if err := s.hashes.do(ctx, func() { match = CheckPassword(u.PasswordHash, password) }); err != nil {
		return "", nil, err
	}
	if !match {
		return "", nil, unauthenticated()
	}
	s.throttle.succeeded(username)
	cookie, err = s.StartSession(ctx, u)
	if err != nil {
		return "", nil, err
	}
	return cookie, u, nil
}

// StartSession opens a session for u without a password and returns its
// cookie value. Login uses it after checking the password; single-user
// desktop mode uses it for the local user.
func (s *Service) StartSession(ctx context.Context, u *app.User) (cookie string, err error) {
	cookie = randomString(32)
	now := s.now().UTC()
	sess := &app.Session{Hash: hashSecret(cookie), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.ttl)}
	if err := s.sessions.CreateSession(ctx, sess); err != nil {
		return "", err
	}
	return cookie, nil
}

// Logout ends the session of cookie; an unknown cookie is not an error.
func (s *Service) Logout(ctx context.Context, cookie string) error {
	if cookie == "" {
		return nil
	}
	err := s.sessions.DeleteSession(ctx, hashSecret(cookie))
	if isKind(err, app.ENOTFOUND) {
		err = nil
	}
	if err == nil {
		s.revoked("", SessionCredential(cookie))
	}
	return err
}

// SessionCredential names the session of cookie the way a token's id names
// the token: live connections opened with that session carry it, and
// OnRevoke functions receive it when the session logs out.
func SessionCredential(cookie string) string {
	return sessionCredentialOfHash(hashSecret(cookie))
}

func sessionCredentialOfHash(hash string) string { return "session:" + hash[:32] }

// SessionUser returns the user of a session cookie. Errors: EUNAUTHENTICATED
// for an empty, unknown or expired session or a deleted user.
func (s *Service) SessionUser(ctx context.Context, cookie string) (*app.User, error) {
	expired := app.Errorf(app.EUNAUTHENTICATED, "Your session has expired. Please log in again.")
	if cookie == "" || len(cookie) > 256 {
		return nil, expired
	}
	sess, err := s.sessions.FindSession(ctx, hashSecret(cookie))
	if isKind(err, app.ENOTFOUND) {
		return nil, expired
	}
	if err != nil {
		return nil, err
	}
	if !s.now().Before(sess.ExpiresAt) {
		return nil, expired
	}
	u, err := s.users.FindUserByID(ctx, sess.UserID)
	if isKind(err, app.ENOTFOUND) {
		return nil, expired
	}
	return u, err
}

// SessionTTL returns how long a session lasts, for the cookie's Max-Age.
func (s *Service) SessionTTL() time.Duration { return s.ttl }
