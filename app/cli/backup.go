package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
)

func (r *runner) backup(ctx context.Context, args []string) error {
	fs := r.flags("backup", "FILE",
		"Write a consistent copy of the database to FILE, which must not exist. Safe while a server\n"+
			"runs: the copy is one snapshot, taken with SQLite's VACUUM INTO.")
	pos, err := r.parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	cfg, err := r.config(fs)
	if err != nil {
		return err
	}
	if err := sqliteOnly(cfg.Database, "backup", "back up with PostgreSQL's own pg_dump (pg_dump --format=custom --file=belfry.dump DATABASE) while the replicas run"); err != nil {
		return err
	}
	d, err := openExisting(cfg)
	if err != nil {
		return err
	}
	err = d.Backup(ctx, pos[0])
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	st, err := os.Stat(pos[0])
	if err != nil {
		return errors.Join(errors.New("backup finished but its file is missing"), err)
	}
	fmt.Fprintf(r.stdout, "Backed up %s to %s (%d bytes).\n", cfg.Database.Path, pos[0], st.Size())
	return nil
}
