package db

import (
	"context"
	"testing"
)

func tableNames(t *testing.T, d *DB) map[string]bool {
	t.Helper()
	rows, err := d.read.Query(`SELECT name FROM (` + d.sql.tables + `) t WHERE name NOT LIKE 'goose%' AND name NOT LIKE 'sqlite%'`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	err = eachRow(rows, func() error {
		var name string
		err := rows.Scan(&name)
		out[name] = true
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMigrate_RoundTrip(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	if n, err := d.Migrate(ctx); err != nil || n != 0 {
		t.Fatalf("second migrate ran %d, %v; want 0", n, err)
	}
	up := tableNames(t, d)
	for _, want := range []string{"users", "sessions", "tokens", "notifications", "preferences", "mutes"} {
		if !up[want] {
			t.Fatalf("table %s missing after migrate: %v", want, up)
		}
	}
	if err := d.MigrateDownTo(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if left := tableNames(t, d); len(left) != 0 {
		t.Fatalf("tables left after migrating down to 0: %v", left)
	}
	st, err := d.MigrationStatuses(ctx)
	if err != nil || len(st) == 0 {
		t.Fatalf("statuses %v, %v", st, err)
	}
	for _, s := range st {
		if s.Applied {
			t.Fatalf("migration %d still applied after down", s.Version)
		}
	}
	n, err := d.Migrate(ctx)
	if err != nil || n != len(st) {
		t.Fatalf("migrate up again ran %d, %v; want %d", n, err, len(st))
	}
	if again := tableNames(t, d); len(again) != len(up) {
		t.Fatalf("tables after round trip %v, want %v", again, up)
	}
	// The stores work on the rebuilt schema.
	mustUser(t, d, "alice")
}
