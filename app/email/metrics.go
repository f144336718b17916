package email

import (
	"context"
	"time"

	"github.com/belfry/belfry/app/metrics"
)

// Stats are the worker's counters since start and the outbox's depth.
type Stats struct {
	Sent      uint64 // messages accepted by the SMTP server, summaries included
	Retried   uint64 // attempts that failed and will be retried
	Failed    uint64 // e-mails given up (a 5xx answer, out of attempts, no address)
	Summaries uint64 // batch summaries accepted
	Pending   int    // rows waiting to be sent, summaries not yet due included
	Held      int    // e-mails held in summaries
}

// Stats returns the counters and reads the outbox's depth (zero when the
// database does not answer within a second).
func (s *Service) Stats(ctx context.Context) Stats {
	st := Stats{Sent: s.sent.Load(), Retried: s.retried.Load(), Failed: s.failed.Load(), Summaries: s.summaries.Load()}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if pending, held, err := s.d.Store.CountEmails(ctx); err == nil {
		st.Pending, st.Held = pending, held
	}
	return st
}

// Observe registers the e-mail metrics on m, beside the webhooks' and in
// their style: attempts by outcome, summaries, and the outbox's depth.
func (s *Service) Observe(m *metrics.Registry) {
	for outcome, fn := range map[string]func() uint64{
		"sent": s.sent.Load, "retried": s.retried.Load, "failed": s.failed.Load,
	} {
		m.CounterFunc("belfry_email_messages_total", "E-mail attempts by outcome: sent, retried later, failed for good.",
			func() float64 { return float64(fn()) }, "outcome", outcome)
	}
	m.CounterFunc("belfry_email_summaries_total", "Batch summaries sent (each also counts as one sent message).",
		func() float64 { return float64(s.summaries.Load()) })
	m.GaugeFunc("belfry_email_queue_depth", "E-mails waiting in the outbox to be sent (summaries not yet due included).",
		func() float64 { return float64(s.Stats(context.Background()).Pending) })
	m.GaugeFunc("belfry_email_held", "E-mails held for a batch summary.",
		func() float64 { return float64(s.Stats(context.Background()).Held) })
}
