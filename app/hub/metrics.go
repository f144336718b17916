package hub

import "github.com/belfry/belfry/app/metrics"

// Observe registers the endpoint's metrics on m.
func (h *Hub) Observe(m *metrics.Registry) { observe(m, h.Stats) }

// observe registers the metrics of stats on m.
func observe(m *metrics.Registry, stats func() Stats) {
	m.GaugeFunc("belfry_ws_sockets", "Live WebSocket connections.",
		func() float64 { return float64(stats().Sockets) }, "endpoint", "notification")
	m.CounterFunc("belfry_ws_frames_sent_total", "Frames written to WebSocket connections (notifications delivered live).",
		func() float64 { return float64(stats().Pushes) }, "endpoint", "notification")
	m.CounterFunc("belfry_ws_slow_disconnects_total", "WebSocket connections closed because they did not read fast enough.",
		func() float64 { return float64(stats().DroppedSlow) }, "endpoint", "notification")
	m.CounterFunc("belfry_ws_frames_coalesced_total", "Frames that gave way to one reload frame for a WebSocket connection that fell behind.",
		func() float64 { return float64(stats().Coalesced) }, "endpoint", "notification")
	m.CounterFunc("belfry_storm_activations_total", "Times a user entered a notification storm.",
		func() float64 { return float64(stats().StormActivations) })
}
