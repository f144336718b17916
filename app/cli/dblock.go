package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/db"
	"github.com/jackc/pgx/v5/pgconn"
)

// A running `belfry serve` holds an exclusive lock on a file beside the
// database (PATH.lock) for as long as it runs, and so does `belfry restore`
// while it replaces the database: a second server on the same database
// refuses to start, a restore refuses while a server runs, and no server
// starts while a restore is under way. The commands that only read or add a
// row (backup, user, token, notify, prune, report, migrate) take no lock:
// SQLite lets them work beside a running server. The lock is the operating
// system's (flock on Unix, LockFileEx on Windows): it ends with the process
// however the process ends, so a crash leaves no stale lock. The file stays;
// it names its last holder, which is how the refusal says who holds it.

// errLocked reports that another process holds the lock.
var errLocked = errors.New("locked by another process")

// dbLock is a held lock on a database's lock file.
type dbLock struct{ f *os.File }

// lockPath returns the lock file of the database at path.
func lockPath(path string) string { return path + ".lock" }

// lockDatabase takes the lock of the database at path without waiting, for
// the command what ("serve", "restore"), and writes its holder into the
// lock file. It creates the lock file (db.FileMode) and the database's
// directory (db.CreateDir) when missing. When another process holds the lock, the error is
// errLocked: lockHolder says who.
func lockDatabase(path, what string) (*dbLock, error) {
	if err := db.CreateDir(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(lockPath(path), os.O_RDWR|os.O_CREATE, db.FileMode)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, err
	}
	holder := fmt.Sprintf("belfry %s (pid %d)\n", what, os.Getpid())
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(holder), 0) // only a name for messages
	}
	return &dbLock{f: f}, nil
}

// lockHolder names the process that holds the lock of the database at
// path, as it wrote itself into the lock file.
func lockHolder(path string) string {
	b, err := os.ReadFile(lockPath(path))
	if s := strings.TrimSpace(string(b)); err == nil && strings.HasPrefix(s, "belfry ") && len(s) < 100 {
		return s
	}
	return "another belfry process"
}

// Close releases the lock.
func (l *dbLock) Close() error {
	if l.f == nil { // PostgreSQL: no lock was taken
		return nil
	}
	_ = unlockFile(l.f)
	return l.f.Close()
}

// lockServe takes serve's lock of the SQLite database; on PostgreSQL it
// takes none and returns a lock whose Close does nothing.
func lockServe(cfg app.DatabaseConfig) (*dbLock, error) {
	if cfg.Driver == "postgres" {
		return &dbLock{}, nil
	}
	return lockDatabase(cfg.Path, "serve")
}

// databaseName is what the log says the database is: the SQLite file, or
// the PostgreSQL server and database (never the password).
func databaseName(cfg app.DatabaseConfig) string {
	if cfg.Driver != "postgres" {
		return cfg.Path
	}
	if pc, err := pgconn.ParseConfig(cfg.URL); err == nil {
		return fmt.Sprintf("postgres://%s:%d/%s", pc.Host, pc.Port, pc.Database)
	}
	return "postgres"
}

// sqliteOnly refuses command on PostgreSQL, saying what to use instead.
func sqliteOnly(cfg app.DatabaseConfig, command, instead string) error {
	if cfg.Driver != "postgres" {
		return nil
	}
	return &UsageError{Err: fmt.Errorf("belfry %s works on the SQLite file only; with database.driver = \"postgres\" %s", command, instead)}
}
