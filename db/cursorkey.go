package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
)

// cursorKeyName is the server_keys row of the polling API's cursor key.
const cursorKeyName = "poll_cursor_hmac"

// cursorKeyLen is the size of the cursor key: 32 bytes, the block-size
// independent strength of HMAC-SHA256.
const cursorKeyLen = 32

// CursorKey returns the secret that signs the polling API's pagination
// cursors. The first call on a fresh database creates 32 random bytes and
// stores them; every later call, in this process or after a restart,
// returns the same bytes, so cursors handed out before a restart stay
// valid. Concurrent first calls agree on one key. Errors are internal.
func CursorKey(ctx context.Context, d *DB) ([]byte, error) {
	return serverKey(ctx, d, cursorKeyName)
}

// unsubscribeKeyName is the server_keys row of the key that signs the
// e-mails' one-click unsubscribe links.
const unsubscribeKeyName = "email_unsubscribe_hmac"

// UnsubscribeKey returns the secret that signs unsubscribe links, made and
// kept the way CursorKey's is: links in e-mails sent before a restart keep
// working.
func UnsubscribeKey(ctx context.Context, d *DB) ([]byte, error) {
	return serverKey(ctx, d, unsubscribeKeyName)
}

// serverKey returns the server key called name, creating 32 random bytes on
// first use.
func serverKey(ctx context.Context, d *DB, name string) ([]byte, error) {
	return serverKeyMade(ctx, d, name, func() ([]byte, error) {
		fresh := make([]byte, cursorKeyLen)
		_, err := rand.Read(fresh)
		return fresh, err
	})
}

// serverKeyMade returns the server key called name (32 bytes), creating it
// with fresh on first use.
func serverKeyMade(ctx context.Context, d *DB, name string, fresh func() ([]byte, error)) ([]byte, error) {
	key, err := readServerKey(ctx, d.read, name)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read server key %s: %w", name, err)
	}
	value, err := fresh()
	if err != nil {
		return nil, fmt.Errorf("generate server key %s: %w", name, err)
	}
	err = d.Write(ctx, func(tx *sql.Tx) error {
		// DO NOTHING keeps a key another process or goroutine stored first;
		// the SELECT inside the same transaction then returns the winner.
		if _, err := tx.Exec(`INSERT INTO server_keys (name, value, created_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO NOTHING`, name, value, millis(d.Now())); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT value FROM server_keys WHERE name = ?`, name).Scan(&key)
	})
	if err != nil {
		return nil, fmt.Errorf("store server key %s: %w", name, err)
	}
	return key, nil
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readServerKey(ctx context.Context, q queryRower, name string) ([]byte, error) {
	var key []byte
	err := q.QueryRowContext(ctx, `SELECT value FROM server_keys WHERE name = ?`, name).Scan(&key)
	if err == nil && len(key) != cursorKeyLen {
		return nil, fmt.Errorf("server key %s has %d bytes, want %d", name, len(key), cursorKeyLen)
	}
	return key, err
}
