package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/db"
)

func (r *runner) migrate(ctx context.Context, args []string) error {
	fs := r.flags("migrate", "[status|up]",
		"status lists the database migrations built into this binary and whether each is applied;\n"+
			"up (the default) applies the pending ones. belfry serve applies them too, at every start.")
	pos, err := r.parse(fs, args, 0, 1)
	if err != nil {
		return err
	}
	action := "up"
	if len(pos) == 1 {
		action = pos[0]
	}
	if action != "up" && action != "status" {
		return usagef("migrate: unknown action %q: use status or up", action)
	}
	cfg, err := r.config(fs)
	if err != nil {
		return err
	}
	// status never creates a database; up creates it like serve would.
	open := openExisting
	if action == "up" {
		open = func(cfg app.Config) (*db.DB, error) { return db.Open(dbOptions(cfg)) }
	}
	d, err := open(cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	if action == "up" {
		n, err := d.Migrate(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			fmt.Fprintln(r.stdout, "The database is up to date.")
		} else {
			fmt.Fprintf(r.stdout, "Applied %d migration(s).\n", n)
		}
		return nil
	}
	statuses, err := d.MigrationStatuses(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(r.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tSTATE")
	for _, s := range statuses {
		state := "pending"
		if s.Applied {
			state = "applied"
		}
		fmt.Fprintf(tw, "%05d\t%s\t%s\n", s.Version, s.Name, state)
	}
	return tw.Flush()
}
