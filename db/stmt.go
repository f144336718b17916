package db

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds the statement cache: queries built with a
// variable number of placeholders would otherwise grow it without end.
const maxCachedStatements = 256

// stmtCache keeps the reader pool's statements prepared. The SQLite driver
// parses a statement's SQL on every unprepared call, and for Belfry's
// indexed queries the parse costs more than the query itself.
type stmtCache struct {
	pool *sql.DB
	mu   sync.RWMutex
	m    map[string]*sql.Stmt
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}}
}

// get returns query prepared, or nil when the cache is full.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.RLock()
	st, ok := c.m[query]
	full := len(c.m) >= maxCachedStatements
	c.mu.RUnlock()
	if ok || full {
		return st, nil
	}
	st, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[query]; ok {
		st.Close()
		return prev, nil
	}
	c.m[query] = st
	return st, nil
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
	return nil
}

// readQuery runs query on the reader pool through the statement cache.
func (d *DB) readQuery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := d.stmts.get(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return d.read.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// readQueryRow is readQuery for one row; errors surface from Scan.
func (d *DB) readQueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := d.stmts.get(ctx, query)
	if err != nil || st == nil {
		// Unprepared, the same error (if any) comes back from Scan.
		return d.read.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
