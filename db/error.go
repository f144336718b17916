package db

import (
	"database/sql"
	"errors"

	"github.com/belfry/belfry/app"
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
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
