package app

import (
	"context"
	"time"
)

// Scope is what an API token may do.
type Scope string

// Token scopes: client reads and acts on its owner's notifications, publish
// posts events, admin may do everything.
const (
	ScopeClient  Scope = "client"
	ScopePublish Scope = "publish"
	ScopeAdmin   Scope = "admin"
)

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool {
	return s == ScopeClient || s == ScopePublish || s == ScopeAdmin
}

// Token is a personal API token. Only the SHA-256 hash of its secret is kept.
type Token struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	Scope      Scope      `json:"scope"`
	Hash       string     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// TokenStore persists tokens; lookups return ENOTFOUND.
type TokenStore interface {
	CreateToken(ctx context.Context, t *Token) error
	FindTokenByHash(ctx context.Context, hash string) (*Token, error)
	ListTokens(ctx context.Context, userID string) ([]*Token, error)
	// RevokeToken deletes a token; with userID non-empty only that user's.
	RevokeToken(ctx context.Context, userID, id string) error
	// TouchTokens records last-used times, batched by the caller.
	TouchTokens(ctx context.Context, used map[string]time.Time) error
}

// Session is a browser login. Only the SHA-256 hash of the cookie is kept.
type Session struct {
	Hash      string
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionStore persists browser sessions; FindSession returns ENOTFOUND for
// unknown or expired sessions.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, hash string) (*Session, error)
	DeleteSession(ctx context.Context, hash string) error
	// DeleteUserSessions deletes every session of a user and returns their hashes.
	DeleteUserSessions(ctx context.Context, userID string) ([]string, error)
	// DeleteOtherSessions deletes every session of a user but the one with
	// keepHash and returns their hashes.
	DeleteOtherSessions(ctx context.Context, userID, keepHash string) ([]string, error)
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}
