package push

// Kick wakes the worker, for tests that move a fake clock.
func (s *Service) Kick() { s.kick.Kick() }
