// Package auth authenticates Belfry's users: argon2id password hashes,
// browser sessions behind an opaque cookie, and personal API tokens whose
// secrets are shown once and stored only as SHA-256 hashes.
package auth

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"sync"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/clock"
)

// Deps are the Service's collaborators and settings.
type Deps struct {
	Users    app.UserStore
	Tokens   app.TokenStore
	Sessions app.SessionStore
	// Config is the [auth] section: auth.session_ttl, the lifetime of a
	// browser session; the login limits; the bound on password hashing.
	Config app.AuthConfig
	Clock  clock.Clock  // nil: the wall clock; tests use clocktest.Fake
	Logger *slog.Logger // nil means slog.Default()
	// Revocations carries revoked credentials to every replica, whose
	// caches and live connections forget them (nil: this process only).
	Revocations *bus.Topic[Revocation]
}

// Revocation is a revoked credential, as OnRevoke functions receive it.
type Revocation struct {
	UserID  string `json:"user_id,omitempty"`
	TokenID string `json:"token_id,omitempty"`
}

// Service logs users in and resolves session cookies and API tokens to
// users. It is safe for concurrent use.
type Service struct {
	users    app.UserStore
	tokens   app.TokenStore
	sessions app.SessionStore
	ttl      time.Duration
	now      func() time.Time
	log      *slog.Logger

	cache    *tokenCache
	hashes   *hashSlots
	throttle *loginThrottle

	usedMu sync.Mutex
	used   map[string]time.Time // token id → last use not yet flushed

	revokeMu    sync.Mutex
	onRevoke    []func(userID, tokenID string)
	revocations *bus.Topic[Revocation]
}

// OnRevoke registers fn to run after a user is deleted (tokenID ""), a
// token is revoked (userID may be "" when an admin revoked it by id) or a
// session logs out (tokenID is its SessionCredential, userID ""), so that
// live connections holding those credentials can be closed. fn must not
// block.
func (s *Service) OnRevoke(fn func(userID, tokenID string)) {
	s.revokeMu.Lock()
	defer s.revokeMu.Unlock()
	s.onRevoke = append(s.onRevoke, fn)
}

// revoked announces a revocation to every replica (forget).
func (s *Service) revoked(userID, tokenID string) {
	s.revocations.Publish(context.Background(), Revocation{UserID: userID, TokenID: tokenID})
}

// Resync empties the token cache after the change bus may have missed
// revocations of other replicas.
func (s *Service) Resync() { s.cache.dropAll() }

// forget drops a revoked credential from the token cache and runs the
// OnRevoke functions, in every replica.
func (s *Service) forget(r Revocation) {
	userID, tokenID := r.UserID, r.TokenID
	if tokenID != "" {
		s.cache.dropToken(tokenID)
	} else if userID != "" {
		s.cache.dropUser(userID)
	}
	s.revokeMu.Lock()
	fns := s.onRevoke
	s.revokeMu.Unlock()
	for _, fn := range fns {
		fn(userID, tokenID)
	}
}

// New returns a Service over o. It panics when o.Config.SessionTTL is not
// positive: Config.Validate refuses such a config, so that is a wiring bug.
func New(o Deps) *Service {
	if o.Config.SessionTTL.Duration <= 0 {
		panic("auth: Deps.Config.SessionTTL must be positive")
	}
	o.Clock = cmp.Or[clock.Clock](o.Clock, clock.Real{})
	o.Logger = cmp.Or(o.Logger, slog.Default())
	s := &Service{
		users:    o.Users,
		tokens:   o.Tokens,
		sessions: o.Sessions,
		ttl:      o.Config.SessionTTL.Duration,
		now:      o.Clock.Now,
		log:      o.Logger,
		cache:    newTokenCache(tokenCacheTTL, tokenCacheMax),
		hashes:   newHashSlots(o.Config.HashConcurrency, o.Config.HashQueueTimeout.Duration, o.Clock),
		throttle: newLoginThrottle(o.Config),
		used:     map[string]time.Time{},
	}
	s.revocations = cmp.Or(o.Revocations, bus.Local[Revocation]())
	s.revocations.Subscribe(s.forget)
	return s
}

// randomString returns n random bytes in unpadded base64url.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret is how cookies and token secrets are stored: hex SHA-256.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// unauthenticated is the one answer for every failed login, so a caller
// cannot tell unknown users from wrong passwords.
func unauthenticated() error {
	return app.Errorf(app.EUNAUTHENTICATED, "Wrong username or password.")
}

// isKind reports whether err is an *app.Error of kind.
func isKind(err error, kind string) bool {
	return err != nil && app.ErrorKind(err) == kind
}

// background detaches ctx from cancellation for work that must finish, such
// as the final flush at shutdown.
func background(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}
