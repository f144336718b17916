package schedule

// Armed is the delivery time (Unix ms) the timer waits for, 0 for none.
func (s *Service) Armed() int64 {
	s.armMu.Lock()
	defer s.armMu.Unlock()
	return s.armed
}
