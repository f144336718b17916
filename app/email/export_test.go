package email

import "context"

// SendDue sends the due e-mails now, for tests that move a fake clock.
func (s *Service) SendDue(ctx context.Context) int { return s.sendDue(ctx) }
