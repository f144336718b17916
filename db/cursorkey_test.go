package db

import (
	"bytes"
	"context"
	"path/filepath"
	"sync"
	"testing"
)

func TestCursorKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	open := func() *DB {
		t.Helper()
		d, err := Open(testOptions(path, "normal"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return d
	}

	t.Run("StableAcrossCallsAndRestarts", func(t *testing.T) {
		d := open()
		first, err := CursorKey(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != 32 || bytes.Equal(first, make([]byte, 32)) {
			t.Fatalf("key = %x, want 32 random bytes", first)
		}
		again, err := CursorKey(ctx, d)
		if err != nil || !bytes.Equal(again, first) {
			t.Fatalf("second call = %x, %v; want %x", again, err, first)
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		d = open()
		defer d.Close()
		reopened, err := CursorKey(ctx, d)
		if err != nil || !bytes.Equal(reopened, first) {
			t.Fatalf("after restart = %x, %v; want %x", reopened, err, first)
		}
	})

	t.Run("ConcurrentFirstCallsAgree", func(t *testing.T) {
		d, err := Open(testOptions(filepath.Join(t.TempDir(), "c.db"), "normal"))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		keys := make([][]byte, 8)
		var wg sync.WaitGroup
		for i := range keys {
			wg.Go(func() {
				k, err := CursorKey(ctx, d)
				if err != nil {
					t.Error(err)
				}
				keys[i] = k
			})
		}
		wg.Wait()
		for i, k := range keys {
			if !bytes.Equal(k, keys[0]) {
				t.Fatalf("key %d = %x, key 0 = %x", i, k, keys[0])
			}
		}
	})

	t.Run("NoKeyBeforeFirstCall", func(t *testing.T) {
		d, err := Open(testOptions(filepath.Join(t.TempDir(), "n.db"), "normal"))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.read.QueryRow(`SELECT COUNT(*) FROM server_keys`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("server_keys rows = %d, %v; want 0", n, err)
		}
	})
}
