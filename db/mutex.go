package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync"

	"github.com/belfry/belfry/app"
	"github.com/jackc/pgx/v5/stdlib"
)

// mutexSpace is the first key of the two-integer advisory locks Lock
// takes; PostgreSQL keeps them apart from the one-key locks (writeLock,
// leaderLock).
const mutexSpace = 6823

// mutexConns bounds the sessions that hold Lock's advisory locks at once;
// more lockers wait for a session.
const mutexConns = 8

var _ app.Locker = (*DB)(nil)

// Lock implements app.Locker: it returns once no other replica sharing
// this database holds key, and unlock lets the next one in. On SQLite one
// process owns the file, so the lock is the caller's own (unlock does
// nothing). On PostgreSQL it is a session-level advisory lock on a
// connection of its own (keys hash to 32 bits: two keys may share a lock,
// which only serialises them), held until unlock; a session that breaks
// meanwhile releases it.
func (d *DB) Lock(ctx context.Context, key string) (unlock func(), err error) {
	if d.pg == nil {
		return app.Alone{}.Lock(ctx, key)
	}
	pool := d.mutexPool()
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, internal(err, "lock "+key)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1, hashtext($2))", mutexSpace, key); err != nil {
		discard(conn)
		return nil, internal(err, "lock "+key)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			if _, err := conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1, hashtext($2))", mutexSpace, key); err != nil {
				discard(conn) // closing the session releases the lock
				return
			}
			_ = conn.Close()
		})
	}, nil
}

// mutexPool is the pool of Lock's sessions, opened on first use.
func (d *DB) mutexPool() *sql.DB {
	d.mutexOnce.Do(func() {
		d.mutexes = sql.OpenDB(stdlib.GetConnector(*d.pg))
		d.mutexes.SetMaxOpenConns(mutexConns)
		d.mutexes.SetMaxIdleConns(mutexConns)
	})
	return d.mutexes
}

// discard closes conn's session instead of returning it to the pool.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}
