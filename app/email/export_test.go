package email

import (
	"context"

	"github.com/belfry/belfry/app"
)

// SendDue sends the due e-mails now, for tests that move a fake clock.
func (s *Service) SendDue(ctx context.Context) int { return s.sendDue(ctx) }

// BuildSummary builds summary row e's message to addr, for the benchmark.
func (s *Service) BuildSummary(ctx context.Context, e *app.Email, addr string) error {
	_, err := s.buildSummary(ctx, e, addr)
	return err
}
