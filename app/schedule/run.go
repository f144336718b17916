package schedule

import (
	"context"
	"fmt"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
)

// dueBatch is how many due events one store query returns.
const dueBatch = 100

// retryAfter is when Run looks again after a failed store read.
const retryAfter = 30 * time.Second

// Run delivers the events that fell due — at start, those due while
// Belfry was off — and then waits, with one timer, for the earliest one,
// until ctx ends. A delivery that has begun is finished first.
func (s *Service) Run(ctx context.Context) {
	s.alarm.Run(ctx, clock.AlarmJob{Due: s.deliverDue, Next: s.d.Store.NextScheduled, Retry: retryAfter,
		Failed: func(err error) { s.d.Logger.Error("scheduled delivery", "err", err) }})
}

// deliverDue delivers the events due at now, earliest first. An event
// that fails (the database is busy or full) does not hold back the others
// of its batch; the failure is returned after the batch, for a retry.
func (s *Service) deliverDue(ctx context.Context, now time.Time) error {
	for ctx.Err() == nil {
		due, err := s.d.Store.DueScheduled(ctx, now, dueBatch)
		if err != nil {
			return err
		}
		var failed error
		for _, e := range due {
			if err := s.deliver(context.WithoutCancel(ctx), e); err != nil && failed == nil {
				failed = fmt.Errorf("scheduled event %s: %w", e.ID, err)
			}
		}
		if failed != nil || len(due) < dueBatch {
			return failed
		}
	}
	return ctx.Err()
}

// deliver hands e to the dispatcher, as its owner (or the system), and
// deletes it. An event the dispatcher refuses now (its owner lost the
// admin rights it named other users with, a recipient was deleted, the
// type was removed from the configuration) is logged and dropped: it
// would be refused forever. A store or dispatcher failure keeps it for
// the next try. Under mu, so a cancel either comes first (nothing is
// delivered) or finds nothing.
func (s *Service) deliver(ctx context.Context, e *app.ScheduledEvent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.d.Locker.Lock(ctx, "scheduled:"+e.ID)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := s.d.Store.FindScheduled(ctx, e.ID); err != nil {
		if app.ErrorKind(err) == app.ENOTFOUND {
			return nil // cancelled meanwhile
		}
		return err
	}
	var actor *app.User
	if !e.AsSystem {
		u, err := s.d.Users.FindUserByID(ctx, e.UserID)
		if err != nil {
			return err
		}
		actor = u
	}
	ev := e.Event
	_, err = s.d.Dispatcher.Notify(ctx, actor, &ev)
	switch app.ErrorKind(err) {
	case "":
	case app.EINVALID, app.EFORBIDDEN, app.ENOTFOUND:
	default:
		return err
	}
	if err != nil {
		s.failed.Add(1)
		s.d.Logger.Warn("scheduled event refused at delivery; dropped", "id", e.ID, "user_id", e.UserID, "err", err)
	} else {
		s.delivered.Add(1)
	}
	_, derr := s.d.Store.DeleteScheduled(ctx, "", e.ID)
	return derr
}
