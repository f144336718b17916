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
			s.armMu.Lock()
			if s.timer != nil {
				s.timer.Stop()
			}
			s.armMu.Unlock()
			return
		case <-s.wake:
		}
	}
}

// step makes every check whose deadline passed late and sets the timer for
// the next deadline, rounded up to the second.
func (s *Service) step(ctx context.Context) {
	err := s.evaluate(ctx, s.now())
	if err != nil && ctx.Err() != nil {
		return
	}
	if err != nil {
		s.d.Logger.Error("heartbeat deadlines", "err", err)
	}
	// The earliest deadline is read and armed under armMu, which changed
	// takes to compare a new deadline with it: a deadline written after
	// the read is seen by changed, one written before by the read.
	s.armMu.Lock()
	defer s.armMu.Unlock()
	next, ok, nerr := s.d.Store.NextHeartbeatDeadline(ctx)
	now := s.now()
	if err != nil || nerr != nil {
		next, ok = now.Add(retryAfter), true
	}
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	s.armed = 0
	if !ok {
		return
	}
	at := next.Truncate(time.Second)
	if at.Before(next) {
		at = at.Add(time.Second)
	}
	s.armed = next.UnixMilli()
	s.timer = s.d.Clock.AfterFunc(at.Sub(now), func() {
		s.wakeups.Add(1)
		s.kick()
	})
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
