package db

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/db/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// testOptions are the options of a test database at path: the defaults of
// the configuration with durability.
func testOptions(path, durability string) Options {
	cfg := app.DefaultConfig().Database
	cfg.Path, cfg.Durability = path, durability
	return Options{DatabaseConfig: cfg}
}

// openAt opens and migrates the database at path, without cleanup.
func openAt(t testing.TB, path string, durability string) *DB {
	t.Helper()
	return migrated(t, testOptions(path, durability))
}

// onPostgres reports whether mustOpen opens PostgreSQL databases.
func onPostgres() bool { return os.Getenv("BELFRY_TEST_DATABASE") == "postgres" }

// sqliteOnly skips a test of the SQLite file itself (its pragmas, WAL,
// disk, backup by VACUUM INTO) in the PostgreSQL run, where it means
// nothing; the same test has run in the SQLite run.
func sqliteOnly(t testing.TB) {
	t.Helper()
	if onPostgres() {
		t.Skip("a test of the SQLite file: it ran in the SQLite run of this package")
	}
}

func migrated(t testing.TB, opts Options) *DB {
	t.Helper()
	d, err := Open(opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if _, err := d.Migrate(context.Background()); err != nil {
		d.Close()
		t.Fatalf("migrate: %v", err)
	}
	return d
}

// mustOpen opens a migrated database with a fixed clock, and closes it when
// the test ends: a SQLite file in a fresh temporary directory, or with
// BELFRY_TEST_DATABASE=postgres a fresh database on the test PostgreSQL
// server (db/pgtest), so that every store test runs on both engines.
func mustOpen(t testing.TB) (*DB, *clocktest.Fake) {
	t.Helper()
	var d *DB
	if onPostgres() {
		opts := testOptions("", "full")
		opts.Driver, opts.URL = "postgres", pgtest.URL(t)
		d = migrated(t, opts)
	} else {
		d = openAt(t, filepath.Join(t.TempDir(), "belfry.db"), "full")
	}
	clock := clocktest.At(time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC))
	d.Now = clock.Now
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return d, clock
}

// mustUser creates a user called name.
func mustUser(t testing.TB, d *DB, name string) *app.User {
	t.Helper()
	u := &app.User{Username: name, PasswordHash: "hash-of-" + name}
	if err := NewUserStore(d).CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// wantKind fails unless err is an *app.Error of kind (and code, if given).
func wantKind(t testing.TB, err error, kind string, code ...string) {
	t.Helper()
	if got := app.ErrorKind(err); got != kind {
		t.Fatalf("error kind = %q (%v), want %q", got, err, kind)
	}
	if len(code) > 0 && app.ErrorCode(err) != code[0] {
		t.Fatalf("error code = %q, want %q", app.ErrorCode(err), code[0])
	}
}

func TestOpen_Errors(t *testing.T) {
	for name, opts := range map[string]Options{
		"NoPath":          testOptions("", "full"),
		"BadDurability":   testOptions(filepath.Join(t.TempDir(), "x.db"), "off"),
		"EmptyDurability": testOptions(filepath.Join(t.TempDir(), "y.db"), ""),
		"NoReaders":       {DatabaseConfig: app.DatabaseConfig{Path: filepath.Join(t.TempDir(), "z.db"), Durability: "full"}},
	} {
		t.Run(name, func(t *testing.T) {
			d, err := Open(opts)
			if err == nil {
				d.Close()
			}
			wantKind(t, err, app.EINVALID)
		})
	}
}

// TestDurability_VisibleAfterReopen checks that a write that returned nil is
// in the file after Close and a fresh Open, in both durability modes.
func TestDurability_VisibleAfterReopen(t *testing.T) {
	ctx := context.Background()
	for _, durability := range []string{"full", "normal"} {
		t.Run(durability, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "belfry.db")
			d := openAt(t, path, durability)
			u := mustUser(t, d, "alice")
			n := newNotification(d, u.ID, "kept")
			if err := NewNotificationStore(d).CreateNotifications(ctx, []*app.Notification{n}, nil); err != nil {
				t.Fatal(err)
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			d = openAt(t, path, durability)
			defer d.Close()
			got, err := NewNotificationStore(d).FindNotification(ctx, n.ID)
			if err != nil || got.Title != "kept" || got.UserID != u.ID {
				t.Fatalf("after reopen: %+v, %v", got, err)
			}
		})
	}
}

func TestBackup(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	d, _ := mustOpen(t)
	u := mustUser(t, d, "alice")
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := d.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	wantKind(t, d.Backup(ctx, dest), app.ECONFLICT)
	c := openAt(t, dest, "full")
	defer c.Close()
	if got, err := NewUserStore(c).FindUserByID(ctx, u.ID); err != nil || got.Username != "alice" {
		t.Fatalf("backup lacks the user: %+v, %v", got, err)
	}
}

func TestPing(t *testing.T) {
	d, _ := mustOpen(t)
	if err := d.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}
