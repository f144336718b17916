package apptest

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/belfry/belfry/db"
)

// seedFiles are the files of a freshly migrated database, made once per
// test process: running every migration takes most of a second under the
// race detector, writing the files a millisecond. The database is made by
// db.Open and Migrate exactly as a test's own would be; the suffixes are
// the main file's ("") and its write-ahead log's ("-wal", when one is
// left).
var seedFiles = sync.OnceValues(func() (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "belfry-seed-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "belfry.db")
	d, err := db.Open(DBOptions(path))
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(context.Background()); err != nil {
		_ = d.Close()
		return nil, err
	}
	if err := d.Close(); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, err
		default:
			files[suffix] = b
		}
	}
	return files, nil
})

// SeedDB writes a freshly migrated database at path, unless a file is
// there already (a test that restarts on the same database). Opening it
// then migrates nothing.
func SeedDB(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	files, err := seedFiles()
	if err != nil {
		t.Fatalf("seed database: %v", err)
	}
	for suffix, b := range files {
		if err := os.WriteFile(path+suffix, b, 0o600); err != nil {
			t.Fatalf("seed database: %v", err)
		}
	}
}
