package gotify

import "github.com/belfry/belfry/app/metrics"

// Observe registers the metrics of /stream on m, beside the other
// WebSocket endpoints' (endpoint "gotify").
func (g *Gotify) Observe(m *metrics.Registry) {
	if g.stream != nil {
		g.stream.reg.Observe(m, "gotify")
	}
}
