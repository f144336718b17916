package db

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/belfry/belfry/app"
)

// TestFileModes opens a database in a directory that does not exist yet,
// under the common umask 022: the directory is 0700, the database and the
// -wal and -shm SQLite makes beside it 0600, and so is a backup.
func TestFileModes(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "belfry.db")
	cfg := app.DefaultConfig().Database
	cfg.Path = path
	d, err := Open(Options{DatabaseConfig: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A write through the pools makes SQLite open the -wal and -shm.
	if err := d.Write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec("CREATE TABLE files_test (x)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := d.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	if err := d.Backup(context.Background(), backup); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{
		dir: os.ModeDir | 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600, backup: 0o600,
	} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & (os.ModeDir | os.ModePerm); got != want {
			t.Errorf("%s has mode %v, want %v", filepath.Base(p), got, want)
		}
	}
	if err := d.Backup(context.Background(), backup); app.ErrorKind(err) != app.ECONFLICT {
		t.Errorf("a backup onto an existing file: %v, want a conflict", err)
	}
}
