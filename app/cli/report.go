package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/notify"
	"github.com/belfry/belfry/app/report"
	"github.com/belfry/belfry/db"
)

// report is `belfry report [--week W] [--user U] [--dry-run]`: the weekly
// report of one week, sent now, at most once per user and week.
func (r *runner) report(ctx context.Context, args []string) error {
	fs := r.flags("report", "[--week 2026-W47] [--user NAME] [--dry-run]",
		"Send the weekly report of one ISO week (Monday to Sunday in report.timezone) to every user, or\n"+
			"to one. A user who already had that week's report is listed as already_sent and gets nothing:\n"+
			"the server's schedule and this command never send a week twice. Users created after the week\n"+
			"are skipped. With --dry-run the reports are printed and nothing is sent or recorded. Safe while\n"+
			"a server runs; its open pages show the report at their next refresh.")
	week := fs.String("week", "", "the ISO `week`, e.g. 2026-W47 (default: last week)")
	user := fs.String("user", "", "only this user (`NAME`)")
	dryRun := fs.Bool("dry-run", false, "print the reports instead of sending them")
	if _, err := r.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *week != "" {
		if _, err := report.ParseWeek(*week); err != nil {
			return &UsageError{Err: err}
		}
	}
	cfg, err := r.config(fs)
	if err != nil {
		return err
	}
	a, err := r.openAdmin(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := r.reporter(cfg, a)
	if err != nil {
		return err
	}
	if *week == "" {
		*week = rep.PreviousWeek()
	}
	results, err := rep.RunWeek(ctx, *week, *user, *dryRun)
	if err != nil {
		return err
	}
	if *dryRun {
		for _, res := range results {
			fmt.Fprintf(r.stdout, "== %s, %s: %s\n", res.Username, res.Week, res.Status)
			if res.Title != "" {
				fmt.Fprintf(r.stdout, "%s\n\n%s\n", res.Title, res.Body)
			}
			fmt.Fprintln(r.stdout)
		}
		return nil
	}
	tw := tabwriter.NewWriter(r.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tWEEK\tSTATUS\tNOTIFICATION")
	for _, res := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", res.Username, res.Week, res.Status, dash(res.NotificationID))
	}
	return tw.Flush()
}

// reporter builds the weekly report service on the admin database, with a
// dispatcher of its own (no webhooks: weekly_report has no webhook event).
func (r *runner) reporter(cfg app.Config, a *admin) (*report.Reporter, error) {
	types, err := app.NewTypes(cfg.Notifications.Types)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	logger := newLogger(cfg.Log, r.stderr)
	disp := notify.New(notify.Deps{
		Types: types, Users: a.users, Notifications: db.NewNotificationStore(a.db),
		Preferences: db.NewPreferenceStore(a.db), Mutes: db.NewMuteStore(a.db), Changes: bus.New(), Logger: logger,
	})
	rep, err := report.New(report.Deps{Config: cfg.Report, Dispatcher: disp, Users: a.users, Store: db.NewReportStore(a.db), Logger: logger})
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return rep, nil
}
