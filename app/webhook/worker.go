package webhook

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/outbox"
)

// Tuning of the worker loop.
const (
	// perLane bounds the deliveries of one webhook claimed at once; one lane
	// sends them one after another.
	perLane = 20
	// pruneEvery is how often finished deliveries are pruned.
	pruneEvery = time.Hour
)

// Worker delivers the outbox. Deliveries of one webhook go through one lane
// at a time, and at most webhooks.workers lanes run at once, so a slow or
// hanging receiver holds one lane and never delays the other webhooks. A
// claimed batch is leased in the database; after a crash its deliveries are
// due again when the lease ends.
//
// A webhook whose attempt failed with a retryable error is paused: nothing
// more is sent to it until the pause ends (30 s, or the receiver's
// Retry-After), when the deliveries due by then go out as one batch. A
// receiver that is down gets one probe per batch instead of one request per
// queued delivery, and a rate-limited one (Discord's 429) is left alone as
// long as it asks. Kick and Stats are safe for concurrent use; Run must be
// called once.
type Worker struct {
	d      Deps
	cfg    app.WebhooksConfig
	lease  time.Duration
	kick   outbox.Kick
	done   chan struct{} // a lane ended
	jitter func() float64

	lanes *outbox.Lanes // by webhook id: running, or paused after a failed attempt

	lastPrune time.Time // touched by Run's goroutine only
	lastCount time.Time
	// claimFailed says the last claim failed (a full disk, a broken
	// database): the next one waits outbox.MaxIdle instead of retrying at once.
	claimFailed bool

	delivered, retried, failed, disabled atomic.Uint64
	pending                              atomic.Int64
}

// Stats counts the worker's outcomes since it started, and the outbox.
type Stats struct {
	Delivered uint64 // deliveries that reached their receiver
	Retried   uint64 // failed attempts rescheduled for later
	Failed    uint64 // deliveries given up
	Disabled  uint64 // webhooks disabled after 410 Gone
	Pending   int    // outbox depth at the last check
	Lanes     int    // webhooks being delivered to right now
	Paused    int    // webhooks paused after their receiver failed
}

// newWorker returns a worker over d; call Run to start it.
func newWorker(d Deps) *Worker {
	return &Worker{
		d:      d,
		cfg:    d.Config,
		lease:  time.Duration(perLane)*d.Config.Timeout.Duration + time.Minute,
		kick:   outbox.NewKick(),
		done:   make(chan struct{}, 1),
		jitter: rand.Float64,
		lanes:  outbox.NewLanes(),
	}
}

// Kick wakes the worker to look for due deliveries; it never blocks.
func (w *Worker) Kick() { w.kick.Kick() }

// Stats returns the counters.
func (w *Worker) Stats() Stats {
	now := w.d.Clock.Now()
	_, _, lanes := w.lanes.Excluded(now)
	paused := w.lanes.Paused(now)
	return Stats{
		Delivered: w.delivered.Load(), Retried: w.retried.Load(), Failed: w.failed.Load(),
		Disabled: w.disabled.Load(), Pending: int(w.pending.Load()), Lanes: lanes, Paused: paused,
	}
}

// Run delivers until ctx ends, then waits for the attempts in flight: an
// interrupted attempt is released to be retried at the next start.
func (w *Worker) Run(ctx context.Context) {
	var lanes sync.WaitGroup
	defer lanes.Wait()
	for {
		w.pruneIfDue(ctx)
		_, saturated := w.startLanes(ctx, &lanes)
		w.countPending(ctx)
		t := time.NewTimer(w.nextWake(ctx, saturated))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-w.kick:
		case <-w.done:
		case <-t.C:
		}
		t.Stop()
	}
}

// startLanes claims due deliveries for the free lanes and starts them. It
// reports how many started and whether every lane is now busy.
func (w *Worker) startLanes(ctx context.Context, lanes *sync.WaitGroup) (started int, saturated bool) {
	now := w.d.Clock.Now()
	skip, _, running := w.lanes.Excluded(now)
	free := w.cfg.Workers - running
	if free <= 0 {
		return 0, true
	}
	claims, err := w.d.Store.ClaimDeliveries(ctx, app.ClaimRequest{
		Now: now, LeaseUntil: now.Add(w.lease), Lanes: free, PerLane: perLane, Busy: skip,
	})
	w.claimFailed = err != nil
	if err != nil {
		if ctx.Err() == nil {
			w.d.Logger.Error("claim webhook deliveries", "err", err)
		}
		return 0, false
	}
	for _, c := range claims {
		w.lanes.Start(c.Webhook.ID)
		lanes.Add(1)
		go func() {
			defer lanes.Done()
			w.lane(ctx, c)
			w.lanes.End(c.Webhook.ID)
			select {
			case w.done <- struct{}{}:
			default:
			}
		}()
	}
	return len(claims), len(claims) == free
}

// nextDue returns when the next delivery may go out: the earliest due time
// of a webhook neither busy nor paused, or the end of a pause.
func (w *Worker) nextDue(ctx context.Context) (time.Time, bool) {
	skip, pauseEnd, _ := w.lanes.Excluded(w.d.Clock.Now())
	next, ok, err := w.d.Store.NextDeliveryDue(ctx, skip)
	if err != nil {
		return time.Time{}, false
	}
	if !pauseEnd.IsZero() && (!ok || pauseEnd.Before(next)) {
		return pauseEnd, true
	}
	return next, ok
}

// nextWake returns how long to sleep when nothing else wakes the worker.
func (w *Worker) nextWake(ctx context.Context, saturated bool) time.Duration {
	if saturated || w.claimFailed {
		return outbox.MaxIdle
	}
	next, ok := w.nextDue(ctx)
	return outbox.Wait(next, ok, w.d.Clock.Now())
}

// countPending refreshes the outbox depth of Stats, at most once a second.
func (w *Worker) countPending(ctx context.Context) {
	if time.Since(w.lastCount) < time.Second {
		return
	}
	w.lastCount = time.Now()
	if n, err := w.d.Store.CountPendingDeliveries(ctx); err == nil {
		w.pending.Store(int64(n))
	}
}

// pruneIfDue deletes finished deliveries older than the retention, hourly.
func (w *Worker) pruneIfDue(ctx context.Context) {
	now := w.d.Clock.Now()
	if !w.lastPrune.IsZero() && now.Sub(w.lastPrune) < pruneEvery {
		return
	}
	w.lastPrune = now
	n, err := w.d.Store.PruneDeliveries(ctx, now.Add(-w.cfg.Retention.Duration))
	if err != nil && ctx.Err() == nil {
		w.d.Logger.Error("prune webhook deliveries", "err", err)
	} else if n > 0 {
		w.d.Logger.Info("pruned webhook deliveries", "deleted", n)
	}
}
