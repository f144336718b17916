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
	key, err := readServerKey(ctx, d.read, cursorKeyName)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read cursor key: %w", err)
	}
	fresh := make([]byte, cursorKeyLen)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("generate cursor key: %w", err)
	}
	err = d.Write(ctx, func(tx *sql.Tx) error {
		// DO NOTHING keeps a key another process or goroutine stored first;
		// the SELECT inside the same transaction then returns the winner.
		if _, err := tx.Exec(`INSERT INTO server_keys (name, value, created_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO NOTHING`, cursorKeyName, fresh, millis(d.Now())); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT value FROM server_keys WHERE name = ?`, cursorKeyName).Scan(&key)
	})
	if err != nil {
		return nil, fmt.Errorf("store cursor key: %w", err)
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
