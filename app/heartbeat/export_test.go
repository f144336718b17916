package heartbeat

import "context"

// Wakeups counts the deadline timer's firings, for the benchmark.
func (s *Service) Wakeups() int64 { return s.alarm.Wakeups() }

// Armed is the deadline the timer waits for, 0 for none.
func (s *Service) Armed() int64 { return s.alarm.Armed() }

// Idle reports whether Run has nothing to do: the timer waits for the
// earliest deadline or an earlier one.
func (s *Service) Idle(ctx context.Context) bool {
	next, ok, err := s.d.Store.NextHeartbeatDeadline(ctx)
	if err != nil {
		return false
	}
	a := s.Armed()
	return !ok && a == 0 || ok && a != 0 && a <= next.UnixMilli()
}
