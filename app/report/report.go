// Package report sends the weekly report: every user gets a weekly_report
// notification, through the dispatcher (so preferences apply), summarising
// the previous ISO week in the configured time zone. A run row per user and
// week makes it exactly-once, across restarts and concurrent runs; a
// catch-up at start and every hour sends a report the machine was off for.
package report

import (
	"cmp"
	"context"
	"log/slog"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
	"github.com/go-co-op/gocron/v2"
)

// staleClaim is how long a claimed, unsent run stays owned by whoever
// claimed it; after that a crash is assumed and the run may be taken over.
const staleClaim = 10 * time.Minute

// catchUpEvery is how often Run checks for a missed report, beside the
// schedule itself: timers of a suspended or clock-less machine fire late.
const catchUpEvery = time.Hour

// Deps are the Reporter's collaborators.
type Deps struct {
	Config     app.ReportConfig // report.schedule, report.timezone, report.enabled
	Dispatcher app.Dispatcher
	Users      app.UserStore
	Store      app.ReportStore // db.NewReportStore(d)
	Clock      clock.Clock     // nil: the wall clock; tests use clocktest.Fake
	Logger     *slog.Logger    // nil: slog.Default()
}

// Reporter builds and sends weekly reports. It is safe for concurrent use.
type Reporter struct {
	d    Deps
	loc  *time.Location
	cron gocron.Cron
}

// New returns a Reporter over d. Errors are EINVALID for a bad
// report.timezone or report.schedule.
func New(d Deps) (*Reporter, error) {
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	d.Logger = cmp.Or(d.Logger, slog.Default())
	cfg := d.Config
	loc, err := app.LoadZone(cfg.Timezone)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "report.timezone %q is not a known time zone (examples: Europe/Paris, UTC, Local).", cfg.Timezone)
	}
	cron := gocron.NewDefaultCron(false)
	if err := cron.IsValid(cfg.Schedule, loc, d.Clock.Now()); err != nil {
		return nil, app.Errorf(app.EINVALID, "report.schedule %q is not a 5-field cron expression (minute hour day month weekday), e.g. \"0 8 * * 1\".", cfg.Schedule)
	}
	return &Reporter{d: d, loc: loc, cron: cron}, nil
}

// Run sends missed reports now, then on the schedule and every hour, until
// ctx ends. With report.enabled false it returns at once.
func (r *Reporter) Run(ctx context.Context) {
	if !r.d.Config.Enabled {
		return
	}
	r.catchUpLogged(ctx)
	s, err := gocron.NewScheduler(gocron.WithLocation(r.loc))
	if err != nil {
		r.d.Logger.Error("weekly report scheduler", "err", err)
		return
	}
	task := gocron.NewTask(func() { r.catchUpLogged(ctx) })
	single := gocron.WithSingletonMode(gocron.LimitModeReschedule)
	if _, err := s.NewJob(gocron.CronJob(r.d.Config.Schedule, false), task, single); err != nil {
		r.d.Logger.Error("weekly report schedule", "err", err)
		return
	}
	if _, err := s.NewJob(gocron.DurationJob(catchUpEvery), task, single); err != nil {
		r.d.Logger.Error("weekly report catch-up", "err", err)
		return
	}
	s.Start()
	<-ctx.Done()
	if err := s.Shutdown(); err != nil {
		r.d.Logger.Warn("weekly report scheduler shutdown", "err", err)
	}
}

func (r *Reporter) catchUpLogged(ctx context.Context) {
	results, err := r.CatchUp(ctx)
	if err != nil && ctx.Err() == nil {
		r.d.Logger.Error("weekly report", "err", err)
	}
	sent := 0
	for _, res := range results {
		if res.Status == StatusSent {
			sent++
		}
	}
	if sent > 0 {
		r.d.Logger.Info("weekly reports sent", "week", results[0].Week, "users", sent)
	}
}

// CatchUp sends the report due at the latest scheduled time up to now — the
// week before the one holding that time — to every user who has not had it.
// Run calls it on the schedule, at start and hourly; it is idempotent.
func (r *Reporter) CatchUp(ctx context.Context) ([]Result, error) {
	fired, ok := r.lastFire(r.d.Clock.Now())
	if !ok {
		return nil, nil
	}
	return r.runWeek(ctx, WeekOf(fired, r.loc).Prev(), "", false)
}

// lastFire returns the latest time the schedule fired at or before now
// (with a minute's tolerance for a timer that fires early), looking back up
// to a year.
func (r *Reporter) lastFire(now time.Time) (time.Time, bool) {
	now = now.Add(time.Minute)
	for _, back := range []time.Duration{8 * 24 * time.Hour, 32 * 24 * time.Hour, 366 * 24 * time.Hour} {
		var last time.Time
		t := now.Add(-back)
		for i := 0; i < 100000; i++ {
			next := r.cron.Next(t)
			if next.IsZero() || next.After(now) {
				break
			}
			last, t = next, next
		}
		if !last.IsZero() {
			return last, true
		}
	}
	return time.Time{}, false
}
