package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// CheckFile checks that the SQLite file at path is a sound Belfry database
// that this binary can serve, before it replaces a live one: SQLite's
// integrity check passes, it has Belfry's migration table, and none of its
// migrations is newer than this binary's. It returns the file's schema
// version. The file is not modified; busy bounds the wait for another
// process's lock. Errors: EINVALID, with the reason.
func CheckFile(ctx context.Context, path string, busy time.Duration) (version int64, err error) {
	conn, err := sql.Open("sqlite", dsn(path, busy, pragmaQueryOnly))
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	rows, err := conn.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return 0, unreadable(path, err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return 0, fmt.Errorf("integrity check of %s: %w", path, err)
		}
		problems = append(problems, line)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, unreadable(path, err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return 0, app.Errorf(app.EINVALID, "%s fails SQLite's integrity check: %s", path, strings.Join(problems[:min(len(problems), 3)], "; "))
	}
	err = conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&version)
	if err != nil {
		return 0, app.Errorf(app.EINVALID, "%s is a SQLite database but not a Belfry one (no migration table).", path)
	}
	latest, err := latestMigration()
	if err != nil {
		return 0, err
	}
	if version > latest {
		return 0, app.Errorf(app.EINVALID, "%s has schema version %d, newer than this belfry's %d: restore it with the belfry that wrote it.", path, version, latest)
	}
	return version, nil
}

// unreadable explains why the integrity check could not even run.
func unreadable(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CORRUPT {
		return app.Errorf(app.EINVALID, "%s fails SQLite's integrity check: the file is corrupt (%v).", path, err)
	}
	return app.Errorf(app.EINVALID, "%s is not a readable SQLite database (%v).", path, err)
}

// latestMigration returns the highest version among the embedded migrations.
func latestMigration() (int64, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return 0, err
	}
	var latest int64
	for _, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		if v, err := strconv.ParseInt(num, 10, 64); err == nil && v > latest {
			latest = v
		}
	}
	return latest, nil
}

// Checkpoint writes the write-ahead log of the closed database at path into
// the database file and truncates the log; busy bounds the wait for
// another process's lock.
func Checkpoint(ctx context.Context, path string, busy time.Duration) error {
	conn, err := sql.Open("sqlite", dsn(path, busy))
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}
