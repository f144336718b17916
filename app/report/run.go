package report

import (
	"context"
	"fmt"

	"github.com/belfry/belfry/app"
)

// Statuses of one user's report in a run.
const (
	StatusSent        = "sent"         // dispatched now
	StatusAlreadySent = "already_sent" // an earlier (or concurrent) run sent it
	StatusSkipped     = "skipped"      // the user did not exist yet that week
	StatusDryRun      = "dry_run"      // built and shown, not sent
)

// Result is what a run did for one user.
type Result struct {
	UserID         string         `json:"user_id"`
	Username       string         `json:"username"`
	Week           string         `json:"week"`
	Status         string         `json:"status"`
	NotificationID string         `json:"notification_id,omitempty"`
	Title          string         `json:"title,omitempty"`
	Body           string         `json:"body,omitempty"`
	Stats          *app.WeekStats `json:"stats,omitempty"`
}

// RunWeek sends the report of week ("2026-W47") to every user, or only to
// username, skipping users who already had it and users created after the
// week. With dryRun it builds the reports and sends nothing. Errors: EINVALID
// for a bad week, ENOTFOUND for an unknown username.
func (r *Reporter) RunWeek(ctx context.Context, week, username string, dryRun bool) ([]Result, error) {
	w, err := ParseWeek(week)
	if err != nil {
		return nil, err
	}
	return r.runWeek(ctx, w, username, dryRun)
}

// PreviousWeek returns the week before the current one in the report's time
// zone: the default of `belfry report`.
func (r *Reporter) PreviousWeek() string {
	return WeekOf(r.d.Clock.Now(), r.loc).Prev().String()
}

func (r *Reporter) runWeek(ctx context.Context, w Week, username string, dryRun bool) ([]Result, error) {
	users, err := r.users(ctx, username)
	if err != nil {
		return nil, err
	}
	sent, err := r.d.Store.SentReports(ctx, w.String())
	if err != nil {
		return nil, err
	}
	_, end := w.Bounds(r.loc)
	results := make([]Result, 0, len(users))
	for _, u := range users {
		res := Result{UserID: u.ID, Username: u.Username, Week: w.String()}
		switch {
		case !u.CreatedAt.Before(end):
			res.Status = StatusSkipped
		case sent[u.ID] && !dryRun:
			res.Status = StatusAlreadySent
		default:
			if err := r.report(ctx, u, w, dryRun, &res); err != nil {
				return results, fmt.Errorf("weekly report %s of %s: %w", w, u.Username, err)
			}
		}
		results = append(results, res)
	}
	return results, nil
}

func (r *Reporter) users(ctx context.Context, username string) ([]*app.User, error) {
	if username == "" {
		return r.d.Users.ListUsers(ctx)
	}
	u, err := r.d.Users.FindUserByName(ctx, username)
	if err != nil {
		return nil, err
	}
	return []*app.User{u}, nil
}

// report builds u's report of w and, unless dryRun, sends it exactly once.
//
// The run row is claimed before the dispatch and completed after it; the
// dispatcher writes the notification in a transaction of its own. A crash
// between the two leaves a claim without completion: after staleClaim the
// next run takes it over and first looks for the report notification the
// dispatch may have written, so it is not sent twice. The one gap left is a
// user who deletes that notification before the takeover (within the hour):
// they get it again, which is the lesser evil next to never getting it.
func (r *Reporter) report(ctx context.Context, u *app.User, w Week, dryRun bool, res *Result) error {
	start, end := w.Bounds(r.loc)
	stats, err := r.d.Store.WeekStats(ctx, u.ID, start, end)
	if err != nil {
		return err
	}
	ev := r.event(u, w, stats)
	res.Title, res.Body, res.Stats = ev.Title, ev.Body, stats
	if dryRun {
		res.Status = StatusDryRun
		return nil
	}
	now := r.d.Clock.Now()
	claim, err := r.d.Store.ClaimReport(ctx, u.ID, w.String(), now, now.Add(-staleClaim))
	if err != nil {
		return err
	}
	switch claim {
	case app.ReportTaken:
		res.Status = StatusAlreadySent
		return nil
	case app.ReportRecovered:
		id, err := r.d.Store.FindWeeklyReport(ctx, u.ID, w.String(), start)
		if err == nil {
			res.Status, res.NotificationID = StatusAlreadySent, id
			return r.d.Store.CompleteReport(ctx, u.ID, w.String(), id, now)
		}
		if app.ErrorKind(err) != app.ENOTFOUND {
			return err
		}
	}
	out, err := r.d.Dispatcher.Notify(ctx, nil, ev)
	if err != nil {
		// Free the claim so the next catch-up retries at once.
		if rerr := r.d.Store.ReleaseReport(context.WithoutCancel(ctx), u.ID, w.String()); rerr != nil {
			r.d.Logger.Error("release weekly report claim", "user_id", u.ID, "week", w.String(), "err", rerr)
		}
		return err
	}
	res.Status = StatusSent
	if len(out.Notifications) > 0 {
		res.NotificationID = out.Notifications[0].ID
	}
	return r.d.Store.CompleteReport(context.WithoutCancel(ctx), u.ID, w.String(), res.NotificationID, r.d.Clock.Now())
}
