package schedule

// Armed is the delivery time (Unix ms) the timer waits for, 0 for none.
func (s *Service) Armed() int64 { return s.alarm.Armed() }

// Wakeups counts the timer's firings, for the benchmark.
func (s *Service) Wakeups() int64 { return s.alarm.Wakeups() }
