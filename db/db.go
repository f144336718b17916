// Package db is Belfry's storage adapter, on SQLite (the default) or
// PostgreSQL: it opens the database (on SQLite with the pragmas Belfry
// relies on), runs the embedded migrations, serialises every
// write through a group-commit writer and implements the stores of package
// app on top of it.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Options configure Open: the database section of the configuration —
// Path; Durability "full" (fsync on every commit: survives power loss) or
// "normal" (WAL without fsync on commit: survives a process crash);
// ReadConns; BatchMax, how many writes one group commit carries; and
// BusyTimeout, how long a connection waits on another process's lock (a
// backup, the CLI) before failing — and a commit hook.
type Options struct {
	app.DatabaseConfig
	// OnCommit, when set, is called by the writer after every group commit
	// with the number of writes it carried and how long it took. It runs on
	// the writer's goroutine: it must be quick (metrics).
	OnCommit func(batch int, took time.Duration)
}

// DB is an open Belfry database: one writer connection fed by the group
// commit loop, and a pool of read-only connections.
type DB struct {
	write *sql.DB
	read  *sql.DB
	stmts *stmtCache // prepared statements of read

	// Memos of the reads on every publish, shared by all store values.
	prefMemo *memo[app.Preferences]
	hookMemo *memo[[]*app.Webhook]
	writer   *writer
	path     string
	busy     time.Duration   // database.busy_timeout, for the handles of its own
	sql      *dialect        // the SQL that differs between the engines
	pg       *pgx.ConnConfig // the PostgreSQL server; nil on SQLite

	mutexOnce sync.Once
	mutexes   *sql.DB // the sessions of Lock's advisory locks (PostgreSQL)

	// Now is the clock of every store; tests replace it.
	Now func() time.Time
}

// Open opens (creating if needed) the database at opts.Path and starts the
// writer. It does not migrate; call Migrate.
func Open(opts Options) (*DB, error) {
	if opts.ReadConns < 1 || opts.BatchMax < 1 || opts.BusyTimeout.Duration <= 0 {
		return nil, app.Errorf(app.EINVALID, "database.read_conns, database.batch_max and database.busy_timeout must be positive.")
	}
	if opts.Driver == "postgres" {
		return openPostgres(opts)
	}
	if opts.Path == "" {
		return nil, app.Errorf(app.EINVALID, "database.path must not be empty.")
	}
	sync := map[string]string{"full": "FULL", "normal": "NORMAL"}[opts.Durability]
	if sync == "" {
		return nil, app.Errorf(app.EINVALID, "database.durability must be full or normal, not %q.", opts.Durability)
	}
	if err := createDatabase(opts.Path); err != nil {
		return nil, err
	}
	// Pragmas sit in the DSN so every pooled connection gets them. Their
	// values are constants chosen above, never text from config.
	//  - WAL lets readers run beside the single writer.
	//  - synchronous FULL fsyncs the WAL on commit; NORMAL only at checkpoints.
	//  - _txlock=immediate takes the write lock at BEGIN, so a transaction never
	//    fails half-way with "database is locked".
	//  - temp_store MEMORY (writer only) keeps the savepoint sub-journals of a
	//    group commit in memory; otherwise a large batch spills them to a
	//    temporary file (measured: a third of the writer's CPU time).
	synchronous := "_pragma=synchronous(" + sync + ")"
	write, err := sql.Open("sqlite", dsn(opts.Path, opts.BusyTimeout.Duration, pragmaFKs, pragmaWAL, synchronous, pragmaTempMem, txImmediate))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.Ping(); err != nil {
		write.Close()
		return nil, fmt.Errorf("open database %s: %w", opts.Path, err)
	}
	read, err := sql.Open("sqlite", dsn(opts.Path, opts.BusyTimeout.Duration, pragmaFKs, pragmaWAL, synchronous, pragmaQueryOnly))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	read.SetMaxOpenConns(opts.ReadConns)
	read.SetMaxIdleConns(opts.ReadConns)
	return newDB(opts, write, read, sqliteDialect), nil
}

// newDB starts the writer on write and serves reads from read.
func newDB(opts Options, write, read *sql.DB, sqlDialect *dialect) *DB {
	d := &DB{write: write, read: read, stmts: newStmtCache(read), sql: sqlDialect,
		prefMemo: newMemo[app.Preferences](), hookMemo: newMemo[[]*app.Webhook](), path: opts.Path, busy: opts.BusyTimeout.Duration, Now: time.Now}
	if sqlDialect != sqliteDialect {
		d.path = ""
	}
	d.writer = newWriter(write, d.path, opts.BatchMax, opts.OnCommit)
	return d
}

// Path returns the database file; "" on PostgreSQL.
func (d *DB) Path() string { return d.path }

// Close stops the writer after it has committed what it was given, then
// closes both pools.
func (d *DB) Close() error {
	d.writer.stop()
	errs := []error{d.stmts.close(), d.read.Close(), d.write.Close()}
	d.mutexOnce.Do(func() {}) // no pool opens after this
	if d.mutexes != nil {
		errs = append(errs, d.mutexes.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers a query and can take writes:
// after a write failed because the disk is full it fails with EFULL until
// a write succeeds again or space is back (see recoverSpace).
func (d *DB) Ping(ctx context.Context) error {
	if err := d.writer.storageFull(); err != nil {
		return err
	}
	var one int
	return d.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Backup writes a consistent copy of the live database to dest with VACUUM
// INTO; it runs beside the writer and readers. dest must not exist.
func (d *DB) Backup(ctx context.Context, dest string) error {
	if d.pg != nil {
		return errNotSQLite("belfry backup", "use pg_dump (pg_dump --format=custom --file=belfry.dump belfry), and pg_restore to restore")
	}
	// The destination is created empty first, with FileMode (VACUUM INTO
	// would create it 0644) and atomically refusing one that exists.
	if err := CreateFile(dest); errors.Is(err, os.ErrExist) {
		return app.Errorf(app.ECONFLICT, "Backup destination %s already exists.", dest)
	} else if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// VACUUM INTO writes a file, which the query_only readers refuse, and it
	// cannot run inside the writer's transactions: it gets a handle of its
	// own. It only reads the live database, so in WAL mode it blocks nobody.
	conn, err := sql.Open("sqlite", dsn(d.path, d.busy))
	if err != nil {
		os.Remove(dest)
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	return nil
}

// WriterStats reports what the group-commit writer did so far.
func (d *DB) WriterStats() WriterStats { return d.writer.statsSnapshot() }

// Write runs fn in a write transaction carried by the next group commit and
// returns once that commit is durable. fn is never retried; an error from fn
// rolls back only fn's own work. ctx bounds only the wait for the writer: fn
// must run its statements with tx.Exec and tx.Query, not the Context
// variants, because a cancelled context interrupts SQLite, which rolls back
// the whole batch and fails every write in it.
func (d *DB) Write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return d.writer.do(ctx, fn)
}

// QueueWrite is Write split in two: it queues fn and returns at once with a
// function that waits for the commit. Writes commit in the order they were
// queued, so a caller that queues under its own lock commits in that lock's
// order.
func (d *DB) QueueWrite(ctx context.Context, fn func(tx *sql.Tx) error) (wait func() error) {
	return d.writer.enqueue(ctx, fn)
}

// txStmt returns query prepared for tx, from the writer's statement cache.
// Call it only inside a Write or QueueWrite function, with that function's tx.
func (d *DB) txStmt(tx *sql.Tx, query string) (*sql.Stmt, error) {
	return d.writer.stmt(tx, query)
}

// Reader returns the read-only pool, for queries stores do not cover.
func (d *DB) Reader() *sql.DB { return d.read }

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func nullMillis(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

func timePtr(ms sql.NullInt64) *time.Time {
	if !ms.Valid {
		return nil
	}
	t := fromMillis(ms.Int64)
	return &t
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// writeCount runs one statement through the writer and returns how many
// rows it changed.
func writeCount(ctx context.Context, d *DB, query string, args ...any) (int, error) {
	var n int64
	err := d.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// maxInList bounds the parameters of one IN (…) list, well under SQLite's
// limit on host parameters.
const maxInList = 500

// inChunks splits ids into slices of at most maxInList.
func inChunks(ids []string) [][]string {
	var out [][]string
	for len(ids) > maxInList {
		out = append(out, ids[:maxInList])
		ids = ids[maxInList:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

// placeholders returns "?, ?, …" with n marks for an IN list.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// anySlice converts ids to query arguments.
func anySlice(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
