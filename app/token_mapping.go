package app

import (
	"context"
	"encoding/json"
	"time"
)

// TokenMapping is what one API token's owner set for the hooks it calls
// (app/hooks): a custom mapping of any JSON to a notification — Go
// text/template templates of the title, body, level, type and target URL,
// tried on Sample when saved — and the secret that signs requests from
// senders that sign (GitHub's X-Hub-Signature-256). Either part may be
// empty.
type TokenMapping struct {
	TokenID string `json:"token_id"`
	Title   string `json:"title"`
	Body    string `json:"body"`
	Level   string `json:"level"`
	Type    string `json:"type"`
	URL     string `json:"url"`
	// Markdown says the rendered body is Markdown; otherwise it is plain
	// text.
	Markdown bool            `json:"markdown"`
	Sample   json.RawMessage `json:"sample"`
	// Secret is kept in clear: every signed request needs it. It never
	// leaves the server.
	Secret    string    `json:"-"`
	UpdatedAt time.Time `json:"updated_at"`
}

// HasTemplates reports whether m maps JSON (it may hold only a secret).
func (m *TokenMapping) HasTemplates() bool {
	return m.Title != "" || m.Body != "" || m.Level != "" || m.Type != "" || m.URL != ""
}

// TokenMappingStore persists token mappings. Every method acts only on the
// tokens of userID: another user's token behaves as a missing one
// (ENOTFOUND).
type TokenMappingStore interface {
	// FindTokenMapping returns the mapping of token tokenID, ENOTFOUND if
	// it has none.
	FindTokenMapping(ctx context.Context, userID, tokenID string) (*TokenMapping, error)
	// PutTokenMapping stores m, replacing the token's earlier mapping;
	// ENOTFOUND when userID has no token m.TokenID.
	PutTokenMapping(ctx context.Context, userID string, m *TokenMapping) error
	// DeleteTokenMapping removes the mapping; ENOTFOUND when there is none.
	DeleteTokenMapping(ctx context.Context, userID, tokenID string) error
}
