package db

import (
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/belfry/belfry/app"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// writeLock is the PostgreSQL advisory lock every group commit takes first,
// for the length of its transaction. It makes the writers of all replicas
// take turns, as SQLite's single writer does, so that every store keeps
// the same behaviour on both engines: a read-then-write in one Write (the
// next channel sequence number, a claim of due outbox rows) is atomic in
// the whole cluster, and two batches can never deadlock. The group commit
// is what keeps that cheap: one turn carries up to batch_max writes.
const writeLock = "SELECT pg_advisory_xact_lock(6823175412)"

// openPostgres opens the PostgreSQL database at opts.URL: a single writer
// connection fed by the group-commit loop, and a pool of read-only ones.
func openPostgres(opts Options) (*DB, error) {
	cfg, err := pgx.ParseConfig(opts.URL)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "database.url is not a PostgreSQL connection string.")
	}
	write := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	if err := write.Ping(); err != nil {
		write.Close()
		return nil, fmt.Errorf("open database %s: %w", redactedURL(cfg), err)
	}
	rcfg := cfg.Copy()
	rcfg.RuntimeParams["default_transaction_read_only"] = "on"
	read := sql.OpenDB(pgConnector{stdlib.GetConnector(*rcfg)})
	read.SetMaxOpenConns(opts.ReadConns)
	read.SetMaxIdleConns(opts.ReadConns)
	d := newDB(opts, write, read, postgresDialect)
	d.pg = cfg
	d.writer.begin = writeLock
	return d, nil
}

// redactedURL names the server of cfg, never its password.
func redactedURL(cfg *pgx.ConnConfig) string {
	return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

// postgresProvider is the goose Provider of the PostgreSQL migrations, on a
// plain connection of its own (migrations are PostgreSQL's own SQL).
func (d *DB) postgresProvider() (*goose.Provider, *sql.DB, error) {
	conn := sql.OpenDB(stdlib.GetConnector(*d.pg))
	conn.SetMaxOpenConns(1)
	sub, err := fs.Sub(postgresMigrations, "migrations/postgres")
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	// Replicas starting together migrate one at a time: goose holds a
	// PostgreSQL advisory lock for the length of a run.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, conn, sub, goose.WithAllowOutofOrder(true), goose.WithSessionLocker(locker))
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return p, conn, nil
}

// errNotSQLite answers what only a SQLite file can do.
func errNotSQLite(what, instead string) error {
	return app.Errorf(app.EINVALID, "%s works on the SQLite file only; on PostgreSQL %s.", what, instead)
}
