package webhook

import (
	"context"

	"github.com/belfry/belfry/app"
)

// kickingDispatcher wakes the worker after each dispatch that queued
// webhook deliveries. The Router cannot kick by itself: it runs before the
// dispatch's transaction commits, when the rows are not visible yet.
type kickingDispatcher struct {
	next   app.Dispatcher
	worker *Worker
}

// KickAfter returns next with a Kick of w after every dispatch that queued
// webhook deliveries, so they go out at once rather than at the worker's
// next poll. Wire it as the dispatcher that publishers call.
func (w *Worker) KickAfter(next app.Dispatcher) app.Dispatcher {
	return kickingDispatcher{next: next, worker: w}
}

// Notify dispatches ev through the wrapped dispatcher.
func (k kickingDispatcher) Notify(ctx context.Context, actor *app.User, ev *app.Event) (*app.DispatchResult, error) {
	res, err := k.next.Notify(ctx, actor, ev)
	if err == nil && res != nil && res.Webhooks > 0 {
		k.worker.Kick()
	}
	return res, err
}
