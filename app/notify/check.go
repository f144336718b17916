package notify

import (
	"context"

	"github.com/belfry/belfry/app"
)

// Check validates ev as Notify would — normalised, its type and fields,
// its recipients for actor (EFORBIDDEN, ENOTFOUND) — without delivering
// it: scheduled delivery (app/schedule) refuses a bad event when it is
// published, not when it falls due.
func (x *Dispatcher) Check(ctx context.Context, actor *app.User, ev *app.Event) error {
	ev.Normalize()
	if err := ev.Validate(x.d.Types); err != nil {
		return err
	}
	_, err := x.recipients(ctx, actor, ev.Users)
	return err
}
