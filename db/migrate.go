package db

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/*.sql
var migrations embed.FS

// postgresMigrations are the same migrations in PostgreSQL's SQL; they
// start at 00019, the schema of the SQLite ones up to there.
//
//go:embed migrations/postgres/*.sql
var postgresMigrations embed.FS

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version int64
	Name    string
	Applied bool
}

// provider builds a goose Provider on a short-lived handle of its own: the
// writer pool has a single connection that the group-commit loop owns.
func (d *DB) provider() (*goose.Provider, *sql.DB, error) {
	if d.pg != nil {
		return d.postgresProvider()
	}
	conn, err := sql.Open("sqlite", dsn(d.path, d.busy, pragmaWAL, pragmaFKs, txImmediate))
	if err != nil {
		return nil, nil, err
	}
	conn.SetMaxOpenConns(1)
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	// Features reserve their migration numbers and merge in any order, so
	// a database may already have a later number when an earlier one
	// arrives: it is applied then, not refused as missing.
	p, err := goose.NewProvider(goose.DialectSQLite3, conn, sub, goose.WithAllowOutofOrder(true))
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	return p, conn, nil
}

// Migrate applies every pending migration and returns how many ran.
func (d *DB) Migrate(ctx context.Context) (int, error) {
	p, conn, err := d.provider()
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	defer conn.Close()
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate: %w", err)
	}
	return len(res), nil
}

// MigrateDownTo rolls migrations back to version (0: all); used by tests and
// by operators downgrading.
func (d *DB) MigrateDownTo(ctx context.Context, version int64) error {
	p, conn, err := d.provider()
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	defer conn.Close()
	_, err = p.DownTo(ctx, version)
	return err
}

// MigrationStatuses lists every embedded migration and whether it is applied.
func (d *DB) MigrationStatuses(ctx context.Context) ([]MigrationStatus, error) {
	p, conn, err := d.provider()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	defer conn.Close()
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{Version: s.Source.Version, Name: s.Source.Path, Applied: s.State == goose.StateApplied})
	}
	return out, nil
}
