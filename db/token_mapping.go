package db

import (
	"context"

	"github.com/belfry/belfry/app"
)

var _ app.TokenMappingStore = (*TokenMappingStore)(nil)

// TokenMappingStore implements app.TokenMappingStore. Every method joins
// the token, so another user's token behaves as a missing one. It is safe
// for concurrent use.
type TokenMappingStore struct {
	db *DB
}

// NewTokenMappingStore returns a TokenMappingStore on d.
func NewTokenMappingStore(d *DB) *TokenMappingStore { return &TokenMappingStore{db: d} }

func tokenNotFound() error { return app.Errorf(app.ENOTFOUND, "Token not found.") }

// FindTokenMapping implements app.TokenMappingStore.
func (s *TokenMappingStore) FindTokenMapping(ctx context.Context, userID, tokenID string) (*app.TokenMapping, error) {
	var m app.TokenMapping
	var sample string
	var updated int64
	err := s.db.readQueryRow(ctx, `SELECT m.token_id, m.title_template, m.body_template, m.level_template,
		m.type_template, m.url_template, m.markdown, m.sample, m.secret, m.updated_at
		FROM token_mappings m JOIN tokens t ON t.id = m.token_id WHERE m.token_id = ? AND t.user_id = ?`,
		tokenID, userID).Scan(&m.TokenID, &m.Title, &m.Body, &m.Level, &m.Type, &m.URL, &m.Markdown,
		&sample, &m.Secret, &updated)
	if err != nil {
		return nil, internal(notFound(err, app.CodeNotFound, "This token has no mapping."), "find token mapping")
	}
	if sample != "" {
		m.Sample = []byte(sample)
	}
	m.UpdatedAt = fromMillis(updated)
	return &m, nil
}

// PutTokenMapping implements app.TokenMappingStore; it sets m.UpdatedAt.
func (s *TokenMappingStore) PutTokenMapping(ctx context.Context, userID string, m *app.TokenMapping) error {
	m.UpdatedAt = msTime(s.db.Now())
	n, err := writeCount(ctx, s.db, `INSERT INTO token_mappings (token_id, title_template, body_template,
			level_template, type_template, url_template, markdown, sample, secret, updated_at)
		SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM tokens WHERE id = ? AND user_id = ?
		ON CONFLICT (token_id) DO UPDATE SET title_template = excluded.title_template,
			body_template = excluded.body_template, level_template = excluded.level_template,
			type_template = excluded.type_template, url_template = excluded.url_template,
			markdown = excluded.markdown, sample = excluded.sample, secret = excluded.secret,
			updated_at = excluded.updated_at`,
		m.Title, m.Body, m.Level, m.Type, m.URL, m.Markdown, string(m.Sample), m.Secret, millis(m.UpdatedAt),
		m.TokenID, userID)
	if err == nil && n == 0 {
		return tokenNotFound()
	}
	return internal(err, "store token mapping")
}

// DeleteTokenMapping implements app.TokenMappingStore.
func (s *TokenMappingStore) DeleteTokenMapping(ctx context.Context, userID, tokenID string) error {
	n, err := writeCount(ctx, s.db, `DELETE FROM token_mappings WHERE token_id = ?
		AND token_id IN (SELECT id FROM tokens WHERE user_id = ?)`, tokenID, userID)
	if err == nil && n == 0 {
		return app.Errorf(app.ENOTFOUND, "This token has no mapping.")
	}
	return internal(err, "delete token mapping")
}
