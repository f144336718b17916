package channels

import "github.com/belfry/belfry/app/metrics"

// Observe registers the /ws/channels/ endpoint's metrics on m.
func (s *Service) Observe(m *metrics.Registry) { observe(m, s.Stats) }

// observe registers the metrics of stats on m.
func observe(m *metrics.Registry, stats func() Stats) {
	m.GaugeFunc("belfry_ws_sockets", "Live WebSocket connections.",
		func() float64 { return float64(stats().Sockets) }, "endpoint", "channels")
	m.CounterFunc("belfry_ws_frames_sent_total", "Frames written to WebSocket connections (notifications delivered live).",
		func() float64 { return float64(stats().EventsSent) }, "endpoint", "channels")
	m.CounterFunc("belfry_ws_slow_disconnects_total", "WebSocket connections closed because they did not read fast enough.",
		func() float64 { return float64(stats().Dropped) }, "endpoint", "channels")
	m.GaugeFunc("belfry_channel_subscriptions", "Channel subscriptions of live connections.",
		func() float64 { return float64(stats().Subscriptions) })
}
