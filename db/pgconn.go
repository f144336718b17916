package db

import (
	"context"
	"database/sql/driver"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/stdlib"
)

// The stores write their SQL once, for both engines, with SQLite's `?`
// placeholders and 0/1 integers for booleans. pgConnector is the one place
// that bridges that to PostgreSQL: every connection it makes numbers the
// placeholders ($1, $2, …) of each statement it prepares or runs, and sends
// Go booleans as the integers the schema stores.
type pgConnector struct{ driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{cn.(*stdlib.Conn)}, nil
}

// pgConn is pgx's connection with the rewritten SQL; every other method
// (transactions, ping, session reset) is pgx's own.
type pgConn struct{ *stdlib.Conn }

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(numberPlaceholders(query))
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, numberPlaceholders(query))
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, numberPlaceholders(query), args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, numberPlaceholders(query), args)
}

// CheckNamedValue sends a bool as 1 or 0: boolean columns are BIGINT on
// both engines, as in SQLite.
func (c *pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	if b, ok := nv.Value.(bool); ok {
		nv.Value = int64(0)
		if b {
			nv.Value = int64(1)
		}
	}
	return nil
}

// numberPlaceholders turns each `?` of query that is outside a string
// literal, a quoted identifier and a comment into $1, $2, … in order, and
// each ?NNN into $NNN.
func numberPlaceholders(query string) string {
	query = sqliteWords(query)
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+2])
			i += end + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+1])
			i += end
		case c == '?':
			// ?NNN (SQLite's numbered parameter) keeps its number.
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			b.WriteByte('$')
			if j > i+1 {
				b.WriteString(query[i+1 : j])
				i = j - 1
				continue
			}
			n++
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

var (
	// indexHint is SQLite's INDEXED BY clause, which pins a query to an
	// index where SQLite's planner would pick a worse one.
	indexHint = regexp.MustCompile(`\s+INDEXED\s+BY\s+\w+`)
	like      = regexp.MustCompile(`\bLIKE\b`)
)

// sqliteWords translates the two words of SQLite's SQL the stores use that
// PostgreSQL spells otherwise: index hints go (PostgreSQL has none; its
// planner chooses from its statistics), and LIKE, which ignores the case of
// ASCII letters in SQLite, becomes ILIKE.
func sqliteWords(query string) string {
	if strings.Contains(query, "INDEXED BY") {
		query = indexHint.ReplaceAllString(query, "")
	}
	if strings.Contains(query, "LIKE") {
		query = like.ReplaceAllString(query, "ILIKE")
	}
	return query
}
