package db

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// dsn is the one place a SQLite data source name is spelled out: the file
// URI of path (the "file:" prefix matters to modernc's driver) with
// busy_timeout and the given parameters. Every parameter is a constant of
// this package, never text from the configuration: _pragma values are raw
// SQL.
func dsn(path string, busy time.Duration, params ...string) string {
	q := append([]string{fmt.Sprintf("_pragma=busy_timeout(%d)", busy.Milliseconds())}, params...)
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + strings.Join(q, "&")
}

// Parameters of the handles Open makes.
const (
	pragmaWAL       = "_pragma=journal_mode(WAL)"
	pragmaFKs       = "_pragma=foreign_keys(1)"
	pragmaTempMem   = "_pragma=temp_store(MEMORY)"
	pragmaQueryOnly = "_pragma=query_only(1)"
	txImmediate     = "_txlock=immediate"
)
