package gotify

import "github.com/belfry/belfry/app/metrics"

// Observe registers the metrics of /stream on m, beside the other
// WebSocket endpoints' (endpoint "gotify").
func (g *Gotify) Observe(m *metrics.Registry) {
	if g.stream == nil {
		return
	}
	stats := g.stream.reg.Stats
	m.GaugeFunc("belfry_ws_sockets", "Live WebSocket connections.",
		func() float64 { return float64(stats().Conns) }, "endpoint", "gotify")
	m.CounterFunc("belfry_ws_frames_sent_total", "Frames written to WebSocket connections (notifications delivered live).",
		func() float64 { return float64(stats().Sent) }, "endpoint", "gotify")
	m.CounterFunc("belfry_ws_slow_disconnects_total", "WebSocket connections closed because they did not read fast enough.",
		func() float64 { return float64(stats().DroppedSlow) }, "endpoint", "gotify")
}
