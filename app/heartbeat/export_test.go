package heartbeat

import "context"

// Wakeups counts the deadline timer's firings, for the benchmark.
func (s *Service) Wakeups() int64 { return s.wakeups.Load() }

// Armed is the deadline the timer waits for, 0 for none.
func (s *Service) Armed() int64 {
	s.armMu.Lock()
	defer s.armMu.Unlock()
	return s.armed
}

// Idle reports whether Run has nothing to do: no wake-up pending, and the
// timer waits for the earliest deadline or an earlier one.
func (s *Service) Idle(ctx context.Context) bool {
	next, ok, err := s.d.Store.NextHeartbeatDeadline(ctx)
	if err != nil || len(s.wake) > 0 {
		return false
	}
	a := s.Armed()
	return !ok && a == 0 || ok && a != 0 && a <= next.UnixMilli()
}
