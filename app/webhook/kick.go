package webhook

import (
	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/outbox"
)

// KickAfter returns next with a Kick of w after every dispatch that queued
// webhook deliveries, so they go out at once rather than at the worker's
// next poll. Wire it as the dispatcher that publishers call.
func (w *Worker) KickAfter(next app.Dispatcher) app.Dispatcher {
	return outbox.KickAfter(next, w.kick, func(r *app.DispatchResult) int { return r.Webhooks })
}
