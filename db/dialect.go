package db

// dialect is the SQL that differs between SQLite and PostgreSQL and cannot
// be bridged elsewhere: every store writes the rest once, for both. The
// rest of the bridge is pgconn.go (placeholders, booleans, index hints, LIKE) and
// the SQLite JSON functions the PostgreSQL schema defines
// (migrations/postgres/00019_baseline.sql).
type dialect struct {
	name string
	// rowKey is the hidden key of a row, for deletes in chunks.
	rowKey string
	// tables lists the schema's tables, one per row, in a column called name.
	tables string
}

var sqliteDialect = &dialect{
	name:   "sqlite",
	rowKey: "rowid",
	tables: `SELECT name FROM sqlite_master WHERE type = 'table'`,
}

var postgresDialect = &dialect{
	name:   "postgres",
	rowKey: "ctid",
	tables: `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`,
}
