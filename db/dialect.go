package db



// dialect is the SQL that differs between SQLite and PostgreSQL, and only
// that: every store writes the rest once, for both (see pgconn.go for the
// placeholders and booleans).
type dialect struct {
	name string
	// rowKey is the hidden key of a row, for deletes in chunks.
	rowKey string
	// tables lists the schema's tables, one per row, as column name.
	tables string
	// jsonEach is the table function that yields each element of a JSON
	// array as text, in a column called value.
	jsonEach func(array string) string
	// jsonText is the text of key at the top of a JSON object.
	jsonText func(object, key string) string
	// greatest is the larger of two values.
	greatest string
	// like is a case-insensitive LIKE.
	like string
}

var sqliteDialect = &dialect{
	name:     "sqlite",
	rowKey:   "rowid",
	tables:   `SELECT name FROM sqlite_master WHERE type = 'table'`,
	jsonEach: func(a string) string { return "json_each(" + a + ")" },
	jsonText: func(o, k string) string { return "json_extract(" + o + ", '$." + k + "')" },
	greatest: "MAX",
	like:     "LIKE",
}

var postgresDialect = &dialect{
	name:     "postgres",
	rowKey:   "ctid",
	tables:   `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`,
	jsonEach: func(a string) string { return "jsonb_array_elements_text(CAST(" + a + " AS jsonb)) AS je(value)" },
	jsonText: func(o, k string) string { return "(CAST(" + o + " AS jsonb) ->> '" + k + "')" },
	greatest: "GREATEST",
	like:     "ILIKE",
}

// in is " IN (SELECT value FROM <each element of array>)".
func (d *dialect) in(array string) string {
	return " IN (SELECT value FROM " + d.jsonEach(array) + ")"
}

