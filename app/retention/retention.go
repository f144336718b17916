// Package retention prunes old data on a schedule so that Belfry's database
// stays small on an SD card: read notifications past an age, notifications
// beyond a count per user, finished webhook deliveries and e-mails, old channel
// messages, expired sessions and mutes (app.RetentionConfig). The deleting
// itself is the store's (app.Pruner); this package decides when and with
// which cut-offs, and tells live views about notifications that went.
package retention

import (
	"cmp"
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
)

// DefaultStartDelay is how long after start the first pass waits, so that
// it does not compete with start-up.
const DefaultStartDelay = time.Minute

// Deps are the job's collaborators and settings.
type Deps struct {
	// Pruner deletes; the server's is the inbox, which announces the
	// users whose notifications went.
	Pruner app.Pruner
	Config app.RetentionConfig
	// Deliveries is how long finished webhook deliveries are kept
	// (webhooks.retention); zero keeps them.
	Deliveries time.Duration
	// Emails is how long sent, failed and skipped e-mails are kept
	// (email.retention); zero keeps them.
	Emails     time.Duration
	Clock      clock.Clock   // nil: the wall clock; tests use clocktest.Fake
	StartDelay time.Duration // before the first pass; zero: DefaultStartDelay
	Logger     *slog.Logger  // nil: slog.Default()
}

// Stats are the job's counters, for metrics.
type Stats struct {
	Runs    uint64 // passes finished, failed ones included
	Failed  uint64 // passes that stopped on an error
	Deleted uint64 // rows deleted, every kind
}

// Job prunes on a schedule. It is safe for concurrent use.
type Job struct {
	d                     Deps
	runs, failed, deleted atomic.Uint64
}

// New returns a Job over d.
func New(d Deps) *Job {
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	if d.StartDelay <= 0 {
		d.StartDelay = DefaultStartDelay
	}
	d.Logger = cmp.Or(d.Logger, slog.Default())
	return &Job{d: d}
}

// Rules returns the cut-offs of a pass at the job's current time.
func (j *Job) Rules() app.PruneRules {
	return j.d.Config.PruneRules(j.d.Clock.Now(), j.d.Deliveries, j.d.Emails)
}

// RunOnce runs one pass now and returns what it deleted. With dryRun it
// only counts. Errors are the pruner's; a failed pass keeps what it deleted.
func (j *Job) RunOnce(ctx context.Context, dryRun bool) (app.PruneCounts, error) {
	c, err := j.d.Pruner.Prune(ctx, j.Rules(), dryRun)
	if dryRun {
		return c, err
	}
	j.runs.Add(1)
	j.deleted.Add(uint64(c.Total()))
	if err != nil {
		j.failed.Add(1)
	}
	return c, err
}

// Run prunes StartDelay after it is called and then every Config.Interval
// until ctx ends; a pass in progress is interrupted by ctx. Each pass that
// deleted something is logged at info, a failure at error. When
// Config.Enabled is false Run returns at once.
func (j *Job) Run(ctx context.Context) {
	if !j.d.Config.Enabled {
		return
	}
	t := time.NewTimer(j.d.StartDelay)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		j.pass(ctx)
		t.Reset(j.d.Config.Interval.Duration)
	}
}

func (j *Job) pass(ctx context.Context) {
	start := time.Now()
	c, err := j.RunOnce(ctx, false)
	if err != nil {
		if ctx.Err() == nil {
			j.d.Logger.Error("retention: pruning failed", "err", err, "deleted", c.Total())
		}
		return
	}
	if c.Total() > 0 {
		j.d.Logger.Info("retention: pruned old data", "read_notifications", c.ReadNotifications,
			"excess_notifications", c.ExcessNotifications, "webhook_deliveries", c.WebhookDeliveries, "emails", c.Emails,
			"channel_messages", c.ChannelMessages, "sessions", c.Sessions, "mutes", c.Mutes,
			"duration", time.Since(start))
	}
}

// Stats returns the job's counters.
func (j *Job) Stats() Stats {
	return Stats{Runs: j.runs.Load(), Failed: j.failed.Load(), Deleted: j.deleted.Load()}
}
