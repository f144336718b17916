package heartbeat

import (
	"context"
	"time"

	"github.com/belfry/belfry/app/clock"
)

// dueBatch is how many due checks one store query returns.
const dueBatch = 100

// retryAfter is when Run looks again after a failed evaluation.
const retryAfter = 30 * time.Second

// Run evaluates the deadlines that passed — at start, those missed while
// Belfry was off — and then waits, with one timer, for the earliest one,
// until ctx ends.
func (s *Service) Run(ctx context.Context) {
	s.alarm.Run(ctx, clock.AlarmJob{Due: s.evaluate, Next: s.d.Store.NextHeartbeatDeadline, Retry: retryAfter,
		Failed: func(err error) { s.d.Logger.Error("heartbeat deadlines", "err", err) }})
}

// evaluate expires the checks due at now.
func (s *Service) evaluate(ctx context.Context, now time.Time) error {
	for {
		due, err := s.d.Store.DueHeartbeats(ctx, now, dueBatch)
		if err != nil {
			return err
		}
		for _, h := range due {
			if err := s.expire(ctx, h, now); err != nil {
				return err
			}
		}
		if len(due) < dueBatch {
			return nil
		}
	}
}
