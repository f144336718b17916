package poll

import "github.com/belfry/belfry/app/metrics"

// Observe registers the polling API's metrics on m.
func (s *Server) Observe(m *metrics.Registry) { observe(m, s.Stats) }

// observe registers the metrics of stats on m.
func observe(m *metrics.Registry, stats func() Stats) {
	m.CounterFunc("belfry_poll_requests_total", "Requests to the REST polling API.",
		func() float64 { return float64(stats().Requests) })
	m.CounterFunc("belfry_poll_rate_limited_total", "Polling requests refused with 429.",
		func() float64 { return float64(stats().RateLimited) })
	m.CounterFunc("belfry_poll_not_modified_total", "Polling requests answered 304 Not Modified.",
		func() float64 { return float64(stats().NotModified) })
	m.GaugeFunc("belfry_poll_waiting", "Long polls waiting for a notification.",
		func() float64 { return float64(stats().Waiting) })
}
