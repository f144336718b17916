package db

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/belfry/belfry/app"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// notFound translates sql.ErrNoRows into an ENOTFOUND *app.Error with msg;
// other errors pass through.
func notFound(err error, code, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return &app.Error{Kind: app.ENOTFOUND, Code: code, Message: msg}
	}
	return err
}

// isUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY
// constraint failure, by SQLite's extended result code.
func isUniqueViolation(err error) bool {
	if pgCode(err) == pgUniqueViolation {
		return true
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// isForeignKeyViolation reports whether err is a FOREIGN KEY constraint
// failure: a row referred to a user (or other parent) that does not exist.
func isForeignKeyViolation(err error) bool {
	if pgCode(err) == pgForeignKeyViolation {
		return true
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// internal wraps an unexpected error with what the store was doing; errors
// that are already *app.Error pass through unchanged.
func internal(err error, doing string) error {
	var ae *app.Error
	if err == nil || errors.As(err, &ae) {
		return err
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// isFull reports whether err is SQLite's SQLITE_FULL, under any of its
// extended codes: the disk holding the database or its WAL has no space
// left for the pages a commit (or a checkpoint) had to write.
func isFull(err error) bool {
	if pgCode(err) == pgDiskFull {
		return true
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL
}

// errStorageFull is what every write gets while the disk is full.
var errStorageFull = &app.Error{
	Kind: app.EFULL, Code: app.CodeStorageFull,
	Message: "Nothing new can be stored: the disk holding the database is full " +
		"(or too full to copy the write-ahead log back into the database). " +
		"Reading still works; writing resumes by itself once space is freed.",
}

// PostgreSQL's SQLSTATE codes the stores tell apart.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
	pgDiskFull            = "53100"
)

// pgCode is PostgreSQL's SQLSTATE of err, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
