package push

import (
	"sync/atomic"

	"github.com/belfry/belfry/app/metrics"
)

// Observe registers the push worker's counters on m.
func (s *Service) Observe(m *metrics.Registry) {
	for outcome, n := range map[string]*atomic.Uint64{"sent": &s.sent, "retried": &s.retried, "failed": &s.failed, "gone": &s.gone} {
		m.CounterFunc("belfry_push_requests_total", "Push service requests by outcome: sent, retried later, failed for good, device gone (removed).",
			func() float64 { return float64(n.Load()) }, "outcome", outcome)
	}
}
