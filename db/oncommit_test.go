package db

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestOpenOnCommit(t *testing.T) {
	var mu sync.Mutex
	var batches []int
	d, err := Open(Options{DatabaseConfig: testOptions(filepath.Join(t.TempDir(), "b.db"), "normal").DatabaseConfig,
		OnCommit: func(batch int, took time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			if took <= 0 {
				t.Errorf("commit took %v", took)
			}
			batches = append(batches, batch)
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for i := 0; i < 3; i++ {
		if err := d.Write(context.Background(), func(tx *sql.Tx) error { _, err := tx.Exec("SELECT 1"); return err }); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(batches) != 3 || batches[0] != 1 {
		t.Fatalf("OnCommit saw batches %v, want three of 1", batches)
	}
}
