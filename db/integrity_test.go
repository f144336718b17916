package db

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckFile(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	dir := t.TempDir()
	d, _ := mustOpen(t)
	mustUser(t, d, "ann")
	good := filepath.Join(dir, "good.db")
	if err := d.Backup(ctx, good); err != nil {
		t.Fatal(err)
	}
	latest, err := latestMigration()
	if err != nil || latest < 5 {
		t.Fatalf("latest migration %d, %v", latest, err)
	}

	t.Run("OK", func(t *testing.T) {
		v, err := CheckFile(ctx, good, time.Second)
		if err != nil || v != latest {
			t.Fatalf("CheckFile = %d, %v; want %d", v, err, latest)
		}
	})

	for _, tc := range []struct {
		name, want string
		make       func(path string)
	}{
		{"not SQLite", "is not a readable SQLite database", func(p string) {
			os.WriteFile(p, []byte(strings.Repeat("not a database\n", 500)), 0o600)
		}},
		{"another SQLite database", "not a Belfry one", func(p string) {
			conn, _ := sql.Open("sqlite", p)
			conn.Exec("CREATE TABLE things (id INTEGER)")
			conn.Close()
		}},
		{"newer schema", "newer than this belfry's", func(p string) {
			copyFile(t, good, p)
			conn, _ := sql.Open("sqlite", p)
			if _, err := conn.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (999, 1)"); err != nil {
				t.Fatal(err)
			}
			conn.Close()
		}},
		{"corrupt", "integrity check", func(p string) {
			copyFile(t, good, p)
			// Overwrite a page in the middle of the file: the b-trees that
			// point into it no longer make sense.
			f, _ := os.OpenFile(p, os.O_RDWR, 0)
			st, _ := f.Stat()
			f.WriteAt([]byte(strings.Repeat("\xff", 4096)), st.Size()/2/4096*4096)
			f.Close()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "file.db")
			tc.make(p)
			_, err := CheckFile(ctx, p, time.Second)
			wantKind(t, err, "invalid")
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
