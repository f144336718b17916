package heartbeat

import (
	"context"
	"time"
)

// dueBatch is how many due checks one store query returns.
const dueBatch = 100

// retryAfter is when Run looks again after a failed evaluation.
const retryAfter = 30 * time.Second

// Run evaluates the deadlines that passed — at start, those missed while
// Belfry was off — and then waits, with one timer, for the earliest one,
// until ctx ends.
func (s *Service) Run(ctx context.Context) {
	for {
		s.step(ctx)
		select {
		case <-ctx.Done():
			if s.timer != nil {
				s.timer.Stop()
			}
			return
		case <-s.wake:
		}
	}
}

// step makes every check whose deadline passed late and sets the timer for
// the next deadline, rounded up to the second.
func (s *Service) step(ctx context.Context) {
	now := s.now()
	next, ok, err := s.evaluate(ctx, now)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		s.d.Logger.Error("heartbeat deadlines", "err", err)
		next, ok = now.Add(retryAfter), true
	}
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	if !ok {
		s.armed.Store(0)
		return
	}
	at := next.Truncate(time.Second)
	if at.Before(next) {
		at = at.Add(time.Second)
	}
	s.armed.Store(next.UnixMilli())
	s.timer = s.d.Clock.AfterFunc(at.Sub(now), func() {
		s.wakeups.Add(1)
		s.kick()
	})
}

// evaluate expires the checks due at now and returns the next deadline.
func (s *Service) evaluate(ctx context.Context, now time.Time) (time.Time, bool, error) {
	for {
		due, err := s.d.Store.DueHeartbeats(ctx, now, dueBatch)
		if err != nil {
			return time.Time{}, false, err
		}
		for _, h := range due {
			if err := s.expire(ctx, h, now); err != nil {
				return time.Time{}, false, err
			}
		}
		if len(due) < dueBatch {
			break
		}
	}
	return s.d.Store.NextHeartbeatDeadline(ctx)
}
