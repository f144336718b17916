// Package outbox owns what every durable outbox of Belfry shares: rows are
// written in the notification's transaction, a worker sends them, and a
// failed attempt is retried later on one backoff schedule. The webhook
// worker (app/webhook) and the e-mail worker (app/email) use it: the
// schedule with its jitter, the kick that wakes a worker after a dispatch
// queued work, and the bounded wait between two looks at the outbox.
package outbox

import (
	"context"
	"time"

	"github.com/belfry/belfry/app"
)

// backoffSchedule is the wait after the 1st, 2nd, … failed attempt: about a
// day in all. Later attempts wait as long as the last step.
var backoffSchedule = []time.Duration{
	30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 8 * time.Hour,
}

// Backoff returns the wait after the attempts-th failed attempt, stretched
// by up to 20% of jitter (jitter in [0,1)) so retries of many rows do not
// arrive together.
func Backoff(attempts int, jitter float64) time.Duration {
	step := backoffSchedule[min(max(attempts, 1), len(backoffSchedule))-1]
	return step + time.Duration(float64(step)*0.2*jitter)
}

// Tuning of a worker's wait between two looks at its outbox.
const (
	// MaxIdle bounds a wait without a kick, in case a row was queued by
	// something that did not kick (another process, a lost race).
	MaxIdle = 5 * time.Second
	// minWait keeps a loop that keeps finding nothing from spinning.
	minWait = 20 * time.Millisecond
)

// Wait returns how long a worker sleeps until next, the earliest due row
// (ok false: none), at now: never less than a few milliseconds, never more
// than MaxIdle.
func Wait(next time.Time, ok bool, now time.Time) time.Duration {
	if !ok {
		return MaxIdle
	}
	return min(max(next.Sub(now), minWait), MaxIdle)
}

// Kick wakes a worker that sleeps on C; Kick never blocks, and kicks that
// arrive while the worker is awake fold into one.
type Kick chan struct{}

// NewKick returns a Kick.
func NewKick() Kick { return make(Kick, 1) }

// Kick wakes the worker.
func (k Kick) Kick() {
	select {
	case k <- struct{}{}:
	default:
	}
}

// kickingDispatcher kicks after each dispatch that queued work for it. A
// router cannot kick by itself: it runs before the dispatch's transaction
// commits, when the rows are not visible yet.
type kickingDispatcher struct {
	next   app.Dispatcher
	kick   Kick
	queued func(*app.DispatchResult) int
}

// KickAfter returns next with a kick of k after every dispatch for which
// queued counts rows, so they go out at once rather than at the worker's
// next look. Wire it as the dispatcher that publishers call.
func KickAfter(next app.Dispatcher, k Kick, queued func(*app.DispatchResult) int) app.Dispatcher {
	return kickingDispatcher{next: next, kick: k, queued: queued}
}

// Notify dispatches ev through the wrapped dispatcher.
func (d kickingDispatcher) Notify(ctx context.Context, actor *app.User, ev *app.Event) (*app.DispatchResult, error) {
	res, err := d.next.Notify(ctx, actor, ev)
	if err == nil && res != nil && d.queued(res) > 0 {
		d.kick.Kick()
	}
	return res, err
}

// Sleep waits until the earliest due row (next, from a store's NextDue: ok
// false or err set means none known), a kick on k, or the end of ctx, and
// reports whether the worker should go on (false: ctx ended).
func Sleep(ctx context.Context, k Kick, next time.Time, ok bool, err error, now time.Time) bool {
	if err != nil {
		ok = false
	}
	t := time.NewTimer(Wait(next, ok, now))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-k:
	case <-t.C:
	}
	return true
}
