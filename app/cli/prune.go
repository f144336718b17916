package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/retention"
)

func (r *runner) prune(ctx context.Context, args []string) error {
	fs := r.flags("prune", "[--dry-run]",
		"Delete what the retention settings (retention.*, webhooks.retention) no longer keep, now,\n"+
			"and print how many rows of each kind went. A running server does the same every\n"+
			"retention.interval; this command works whether or not one runs. --dry-run only counts.")
	dry := fs.Bool("dry-run", false, "count what would be deleted, delete nothing")
	if _, err := r.parse(fs, args, 0, 0); err != nil {
		return err
	}
	cfg, err := r.config(fs)
	if err != nil {
		return err
	}
	d, err := openExisting(cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	job := retention.New(retention.Deps{Pruner: d, Config: cfg.Retention, Deliveries: cfg.Webhooks.Retention.Duration,
		Emails: cfg.Email.Retention.Duration})
	c, err := job.RunOnce(ctx, *dry)
	printPruneCounts(r.stdout, cfg, c, *dry)
	return err
}

// printPruneCounts writes one line per kind of row, with the rule that
// applies to it.
func printPruneCounts(w io.Writer, cfg app.Config, c app.PruneCounts, dry bool) {
	if dry {
		fmt.Fprintln(w, "Would delete (dry run, nothing was deleted):")
	} else {
		fmt.Fprintln(w, "Deleted:")
	}
	rc := cfg.Retention
	perUser := "notifications beyond the newest per user: off"
	if rc.MaxPerUser > 0 {
		perUser = fmt.Sprintf("notifications beyond the newest %d per user", rc.MaxPerUser)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, row := range []struct {
		what string
		n    int
	}{
		{"read notifications older than " + age(rc.ReadNotifications.Duration), c.ReadNotifications},
		{perUser, c.ExcessNotifications},
		{"finished webhook deliveries older than " + age(cfg.Webhooks.Retention.Duration), c.WebhookDeliveries},
		{"finished e-mails older than " + age(cfg.Email.Retention.Duration), c.Emails},
		{"channel messages older than " + age(rc.ChannelMessages.Duration), c.ChannelMessages},
		{"expired sessions", c.Sessions},
		{"expired mutes", c.Mutes},
		{"total", c.Total()},
	} {
		fmt.Fprintf(tw, "  %s\t%7d\n", row.what, row.n)
	}
	tw.Flush()
}

// age writes a retention period for a person: whole days as days, 0 as off.
func age(d time.Duration) string {
	switch {
	case d <= 0:
		return "(off: kept forever)"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}
