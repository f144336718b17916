package heartbeat

// Wakeups counts the deadline timer's firings, for the benchmark.
func (s *Service) Wakeups() int64 { return s.wakeups.Load() }

// Armed is the deadline the timer waits for, 0 for none.
func (s *Service) Armed() int64 {
	s.armMu.Lock()
	defer s.armMu.Unlock()
	return s.armed
}
