package bus

import "github.com/belfry/belfry/app/metrics"

// Observe registers the network's metrics on m.
func (n *Network) Observe(m *metrics.Registry) {
	m.GaugeFunc("belfry_cluster_connected", "1 while the change bus is connected to NATS, 0 otherwise.", func() float64 {
		if n.Stats().Connected {
			return 1
		}
		return 0
	})
	m.CounterFunc("belfry_cluster_published_total", "Changes this replica published to NATS.",
		func() float64 { return float64(n.Stats().Published) })
	m.CounterFunc("belfry_cluster_received_total", "Changes NATS delivered to this replica (its own included).",
		func() float64 { return float64(n.Stats().Received) })
	m.CounterFunc("belfry_cluster_errors_total", "Changes not published or refused on receipt, and NATS errors.",
		func() float64 { return float64(n.Stats().Errors) })
	m.CounterFunc("belfry_cluster_gaps_total", "Reconnections to NATS and dropped messages after which live clients were told to resynchronise.",
		func() float64 { return float64(n.Stats().Gaps) })
}
