package auth

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
	"github.com/google/uuid"
)

// TokenPrefix starts every token secret, so leaked secrets are easy to spot
// and scanners can recognise them.
const TokenPrefix = "blf_"

// tokenSecretBytes is the entropy of a token secret.
const tokenSecretBytes = 32

// MaxTokenNameLen bounds a token's name.
const MaxTokenNameLen = 100

// flushInterval is how often Run writes last-used times.
const flushInterval = 30 * time.Second

func invalidToken() error {
	return app.CodedErrorf(app.EUNAUTHENTICATED, app.CodeInvalidToken, "The API token is missing, malformed, unknown or revoked.")
}

// CreateToken issues a token of scope for userID. It returns the secret —
// TokenPrefix followed by 32 random bytes in base64url, shown this once and
// stored only as its hex SHA-256 — and the stored token. Errors: EINVALID
// for a bad scope or name, ENOTFOUND for an unknown user, EFORBIDDEN for an
// admin token of a user who is not an administrator.
func (s *Service) CreateToken(ctx context.Context, userID, name string, scope app.Scope) (secret string, t *app.Token, err error) {
	if !scope.Valid() {
		return "", nil, app.Errorf(app.EINVALID, "Token scope must be client, publish or admin, not %q.", scope)
	}
	name = strings.TrimSpace(name)
	if len(name) > MaxTokenNameLen || !utf8.ValidString(name) {
		return "", nil, app.Errorf(app.EINVALID, "Token name must be valid text of at most %d bytes.", MaxTokenNameLen)
	}
	u, err := s.users.FindUserByID(ctx, userID)
	if err != nil {
		return "", nil, err
	}
	if scope == app.ScopeAdmin && !u.IsAdmin {
		return "", nil, app.Errorf(app.EFORBIDDEN, "Only administrators may create admin tokens.")
	}
	id, err := uuid.NewV7()
	if err != nil {
		return "", nil, fmt.Errorf("token id: %w", err)
	}
	secret = TokenPrefix + randomString(tokenSecretBytes)
	t = &app.Token{ID: id.String(), UserID: userID, Name: name, Scope: scope, Hash: hashSecret(secret), CreatedAt: s.now().UTC()}
	if err := s.tokens.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// wellFormed reports whether secret has the shape CreateToken produces, so
// garbage never reaches the database.
func wellFormed(secret string) bool {
	rest, ok := strings.CutPrefix(secret, TokenPrefix)
	if !ok || len(rest) != base64.RawURLEncoding.EncodedLen(tokenSecretBytes) {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	return err == nil && len(b) == tokenSecretBytes
}

// TokenUser resolves a token secret to its owner and token. Errors:
// EUNAUTHENTICATED with code AUTH_INVALID_TOKEN for a missing, malformed,
// unknown or revoked token. The use is recorded in memory and written by
// FlushLastUsed, never once per request.
func (s *Service) TokenUser(ctx context.Context, secret string) (*app.User, *app.Token, error) {
	if !wellFormed(secret) {
		return nil, nil, invalidToken()
	}
	hash := hashSecret(secret)
	now := s.now()
	if u, t, ok := s.cache.get(hash, now); ok {
		s.recordUse(t.ID, now)
		return u, t, nil
	}
	gen := s.cache.generation()
	t, err := s.tokens.FindTokenByHash(ctx, hash)
	if isKind(err, app.ENOTFOUND) {
		return nil, nil, invalidToken()
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := s.users.FindUserByID(ctx, t.UserID)
	if isKind(err, app.ENOTFOUND) {
		return nil, nil, invalidToken()
	}
	if err != nil {
		return nil, nil, err
	}
	s.cache.put(gen, hash, u, t, now)
	s.recordUse(t.ID, now)
	cu, ct := *u, *t
	return &cu, &ct, nil
}

// ListTokens returns the tokens of userID (hashes are never serialised).
func (s *Service) ListTokens(ctx context.Context, userID string) ([]*app.Token, error) {
	return s.tokens.ListTokens(ctx, userID)
}

// RevokeToken deletes token id — only userID's when userID is non-empty —
// and drops it from the lookup cache, so it stops working at once in this
// process. Errors: ENOTFOUND for an unknown token or one of another user.
func (s *Service) RevokeToken(ctx context.Context, userID, id string) error {
	if err := s.tokens.RevokeToken(ctx, userID, id); err != nil {
		return err
	}
	s.cache.dropToken(id)
	s.usedMu.Lock()
	delete(s.used, id)
	s.usedMu.Unlock()
	s.revoked(userID, id)
	return nil
}

func (s *Service) recordUse(tokenID string, at time.Time) {
	s.usedMu.Lock()
	if at.After(s.used[tokenID]) {
		s.used[tokenID] = at
	}
	s.usedMu.Unlock()
}

// FlushLastUsed writes the last-used times recorded since the previous
// flush in one batch. On failure the times are kept for the next flush.
func (s *Service) FlushLastUsed(ctx context.Context) error {
	s.usedMu.Lock()
	used := s.used
	s.used = map[string]time.Time{}
	s.usedMu.Unlock()
	if len(used) == 0 {
		return nil
	}
	if err := s.tokens.TouchTokens(ctx, used); err != nil {
		for id, at := range used {
			s.recordUse(id, at)
		}
		return fmt.Errorf("record token use: %w", err)
	}
	return nil
}

// Run flushes last-used times every 30 seconds until ctx ends, then once
// more so no recorded use is lost at shutdown.
func (s *Service) Run(ctx context.Context) {
	tick := time.NewTicker(flushInterval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if err := s.FlushLastUsed(ctx); err != nil {
				s.log.Warn("token last-used flush failed", "err", err)
			}
		case <-ctx.Done():
			fctx, cancel := background(ctx, 5*time.Second)
			if err := s.FlushLastUsed(fctx); err != nil {
				s.log.Warn("final token last-used flush failed", "err", err)
			}
			cancel()
			return
		}
	}
}
