package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// limitPages caps the database at its current size plus extra pages, on
// the writer's connection: past it SQLite fails writes with SQLITE_FULL,
// as it does on a full disk.
func limitPages(extra int) func(tx *sql.Tx) error {
	return func(tx *sql.Tx) error {
		var pages int
		if err := tx.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
			return err
		}
		_, err := tx.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages+extra))
		return err
	}
}

// insertBig writes a row that needs many new pages.
func insertBig(key string) func(tx *sql.Tx) error {
	return func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO kv (k) VALUES (?)`, key+strings.Repeat("x", 256<<10))
		return err
	}
}

func TestWriter_FullDiskIsStorageFull(t *testing.T) {
	sqliteOnly(t)
	d, _ := mustOpen(t)
	withKV(t, d)
	ctx := context.Background()
	if err := d.Write(ctx, limitPages(4)); err != nil {
		t.Fatal(err)
	}

	// In one batch: the big write fails for lack of space, and SQLite
	// rolls back the whole transaction, so the small writes beside it fail
	// too. Every one of them must get the storage-full error, none a 500.
	release := blockWriter(t, d)
	results := make([]chan error, 3)
	for i := range results {
		results[i] = make(chan error, 1)
		fn := insertKey(fmt.Sprint("small ", i))
		if i == 1 {
			fn = insertBig("big")
		}
		go func() { results[i] <- d.Write(ctx, fn) }()
		waitQueued(d, i+1)
	}
	release()
	for _, ch := range results {
		err := <-ch
		wantKind(t, err, app.EFULL, app.CodeStorageFull)
		if msg := app.ErrorMessage(err); !strings.Contains(msg, "the disk holding the database is full") {
			t.Fatalf("message %q does not say the disk is full", msg)
		}
	}
	if n := countKV(t, d); n != 1 {
		t.Fatalf("%d rows, want only the blocker's", n)
	}
	wantKind(t, d.Ping(ctx), app.EFULL, app.CodeStorageFull)

	// Space is back: the next write succeeds, and readiness follows by
	// itself within a retry, without another write.
	if err := d.Write(ctx, limitPages(1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := d.Write(ctx, insertBig("big again")); err != nil {
		t.Fatalf("write once space is back: %v", err)
	}
	deadline := time.Now().Add(3 * fullRetry)
	for d.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("Ping still %v %v after space came back", d.Ping(ctx), 3*fullRetry)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestWriter_FullDiskAloneInItsBatch(t *testing.T) {
	sqliteOnly(t)
	d, _ := mustOpen(t)
	withKV(t, d)
	ctx := context.Background()
	if err := d.Write(ctx, limitPages(1)); err != nil {
		t.Fatal(err)
	}
	// Alone in its batch, a write that does not fit fails with the same
	// error, whatever the statement or the commit reported.
	err := d.Write(ctx, insertBig("big"))
	wantKind(t, err, app.EFULL, app.CodeStorageFull)
	if got := app.ErrorCode(fmt.Errorf("store: %w", err)); got != app.CodeStorageFull {
		t.Fatalf("wrapped: code %q", got)
	}
}
