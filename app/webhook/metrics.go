package webhook

import (
	"github.com/belfry/belfry/app/metrics"
)

// Observe registers the outbox worker's metrics on m.
func (w *Webhooks) Observe(m *metrics.Registry) { observe(m, w.Worker.Stats) }

// observe registers the metrics of stats on m.
func observe(m *metrics.Registry, stats func() Stats) {
	for outcome, fn := range map[string]func(Stats) uint64{
		"delivered": func(st Stats) uint64 { return st.Delivered },
		"retried":   func(st Stats) uint64 { return st.Retried },
		"failed":    func(st Stats) uint64 { return st.Failed },
	} {
		m.CounterFunc("belfry_webhook_deliveries_total", "Webhook delivery attempts by outcome: delivered, retried later, failed for good.",
			func() float64 { return float64(fn(stats())) }, "outcome", outcome)
	}
	m.CounterFunc("belfry_webhook_disabled_total", "Webhooks disabled because their receiver answered 410 Gone.",
		func() float64 { return float64(stats().Disabled) })
	m.GaugeFunc("belfry_webhook_queue_depth", "Deliveries waiting in the outbox.",
		func() float64 { return float64(stats().Pending) })
	m.GaugeFunc("belfry_webhook_in_flight", "Webhooks being delivered to right now.",
		func() float64 { return float64(stats().Lanes) })
}
