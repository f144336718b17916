package escalation

import "context"

// Idle reports whether no step is due now: Run has taken every one.
func (s *Service) Idle(ctx context.Context) bool {
	due, err := s.d.Store.DueEscalations(ctx, s.d.Clock.Now(), 1)
	return err == nil && len(due) == 0
}

// Wakeups is how often Run's timer loop woke.
func (s *Service) Wakeups() uint64 { return s.wakeup.Load() }
