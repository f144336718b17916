package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/belfry/belfry/app"
)

var _ app.WebhookStore = (*WebhookStore)(nil)

// WebhookStore implements app.WebhookStore: webhooks here, their delivery
// outbox in webhook_delivery.go. Another user's webhook behaves exactly like
// a missing one (ENOTFOUND). It is safe for concurrent use.
type WebhookStore struct {
	db *DB
}

// NewWebhookStore returns a WebhookStore on d.
func NewWebhookStore(d *DB) *WebhookStore { return &WebhookStore{db: d} }

const webhookColumns = `id, user_id, name, kind, url, events, enabled, disabled_reason,
	secret, auth_username, auth_password, auth_token, created_at, updated_at, quiet_exempt`

func webhookNotFound() error {
	return app.Errorf(app.ENOTFOUND, "Webhook not found.")
}

// CreateWebhook stores w, filling a missing ID and the times. Errors:
// ENOTFOUND when the user does not exist, ECONFLICT for a duplicate id.
func (s *WebhookStore) CreateWebhook(ctx context.Context, w *app.Webhook) error {
	if w.ID == "" {
		w.ID = newID()
	}
	now := msTime(s.db.Now())
	if w.CreatedAt.IsZero() {
		w.CreatedAt = now
	}
	w.CreatedAt, w.UpdatedAt = msTime(w.CreatedAt), now
	events, err := json.Marshal(nonNil(w.Events))
	if err != nil {
		return fmt.Errorf("encode events: %w", err)
	}
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO webhooks (`+webhookColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			w.ID, w.UserID, w.Name, string(w.Kind), w.URL, string(events), w.Enabled, w.DisabledReason,
			w.Secret, w.AuthUsername, w.AuthPassword, w.AuthToken, millis(w.CreatedAt), millis(w.UpdatedAt), w.QuietExempt)
		return err
	})
	s.db.hookMemo.invalidate() // the webhook set may have changed
	switch {
	case isForeignKeyViolation(err):
		return app.Errorf(app.ENOTFOUND, "User not found.")
	case isUniqueViolation(err):
		return app.Errorf(app.ECONFLICT, "A webhook with this id already exists.")
	}
	return internal(err, "create webhook")
}

func scanWebhook(r rowScanner) (*app.Webhook, error) {
	var w app.Webhook
	var kind, events string
	var created, updated int64
	err := r.Scan(&w.ID, &w.UserID, &w.Name, &kind, &w.URL, &events, &w.Enabled, &w.DisabledReason,
		&w.Secret, &w.AuthUsername, &w.AuthPassword, &w.AuthToken, &created, &updated, &w.QuietExempt)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return nil, fmt.Errorf("webhook %s: decode events: %w", w.ID, err)
	}
	w.Kind, w.CreatedAt, w.UpdatedAt = app.WebhookKind(kind), fromMillis(created), fromMillis(updated)
	return &w, nil
}

// FindWebhook returns userID's webhook id, ENOTFOUND if none.
func (s *WebhookStore) FindWebhook(ctx context.Context, userID, id string) (*app.Webhook, error) {
	w, err := scanWebhook(s.db.readQueryRow(ctx,
		`SELECT `+webhookColumns+` FROM webhooks WHERE id = ? AND user_id = ?`, id, userID))
	if err != nil {
		return nil, internal(notFound(err, "", "Webhook not found."), "find webhook")
	}
	return w, nil
}

// ListWebhooks returns userID's webhooks, oldest first, never nil.
func (s *WebhookStore) ListWebhooks(ctx context.Context, userID string) ([]*app.Webhook, error) {
	return s.query(ctx, "list webhooks",
		`SELECT `+webhookColumns+` FROM webhooks WHERE user_id = ? ORDER BY created_at, id`, userID)
}

// SubscribedWebhooks returns userID's enabled webhooks that receive event.
// Every publish asks, so answers are memoised until the next webhook write;
// callers must not modify the returned webhooks.
func (s *WebhookStore) SubscribedWebhooks(ctx context.Context, userID, event string) ([]*app.Webhook, error) {
	key := userID + "\x00" + event
	hooks, ok, gen := s.db.hookMemo.get(key)
	if ok {
		return hooks, nil
	}
	hooks, err := s.query(ctx, "find subscribed webhooks",
		`SELECT `+webhookColumns+` FROM webhooks
		WHERE user_id = ? AND enabled = 1 AND EXISTS (SELECT 1 FROM json_each(webhooks.events) WHERE value = ?)
		ORDER BY created_at, id`, userID, event)
	if err == nil {
		s.db.hookMemo.put(key, gen, hooks)
	}
	return hooks, err
}

func (s *WebhookStore) query(ctx context.Context, doing, query string, args ...any) ([]*app.Webhook, error) {
	rows, err := s.db.readQuery(ctx, query, args...)
	if err != nil {
		return nil, internal(err, doing)
	}
	defer rows.Close()
	out := []*app.Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, internal(err, doing)
		}
		out = append(out, w)
	}
	return out, internal(rows.Err(), doing)
}

// UpdateWebhook saves the mutable fields of w (name, URL, events, enabled,
// disabled reason, secret, credentials, quiet-hours exemption) and sets w.UpdatedAt. Disabling
// fails the webhook's pending deliveries in the same transaction. ENOTFOUND
// when w is not w.UserID's.
func (s *WebhookStore) UpdateWebhook(ctx context.Context, w *app.Webhook) error {
	events, err := json.Marshal(nonNil(w.Events))
	if err != nil {
		return fmt.Errorf("encode events: %w", err)
	}
	now := msTime(s.db.Now())
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE webhooks SET name = ?, url = ?, events = ?, enabled = ?, disabled_reason = ?,
			secret = ?, auth_username = ?, auth_password = ?, auth_token = ?, updated_at = ?, quiet_exempt = ?
			WHERE id = ? AND user_id = ?`,
			w.Name, w.URL, string(events), w.Enabled, w.DisabledReason, w.Secret,
			w.AuthUsername, w.AuthPassword, w.AuthToken, millis(now), w.QuietExempt, w.ID, w.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return webhookNotFound()
		}
		if !w.Enabled {
			return failPending(tx, w.ID, "Webhook disabled.", now)
		}
		return nil
	})
	s.db.hookMemo.invalidate() // the webhook set may have changed
	if err == nil {
		w.UpdatedAt = now
	}
	return internal(err, "update webhook")
}

// DisableWebhook disables webhook id (of any user) with reason and fails its
// pending deliveries. ENOTFOUND when it does not exist.
func (s *WebhookStore) DisableWebhook(ctx context.Context, id, reason string) error {
	now := msTime(s.db.Now())
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE webhooks SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ?`,
			reason, millis(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return webhookNotFound()
		}
		return failPending(tx, id, "Webhook disabled: "+reason, now)
	})
	s.db.hookMemo.invalidate() // the webhook set may have changed
	return internal(err, "disable webhook")
}

// DeleteWebhook removes userID's webhook id and, by cascade, its delivery
// log. ENOTFOUND when there is none.
func (s *WebhookStore) DeleteWebhook(ctx context.Context, userID, id string) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`DELETE FROM webhooks WHERE id = ? AND user_id = ?`, id, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return webhookNotFound()
		}
		return nil
	})
	s.db.hookMemo.invalidate() // the webhook set may have changed
	return internal(err, "delete webhook")
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
