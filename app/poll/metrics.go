package poll

import "github.com/belfry/belfry/app/metrics"

// Observe registers the polling API's metrics on m.
func (s *Server) Observe(m *metrics.Registry) {
	m.CounterFunc("belfry_poll_requests_total", "Requests to the REST polling API.",
		func() float64 { return float64(s.Stats().Requests) })
	m.CounterFunc("belfry_poll_rate_limited_total", "Polling requests refused with 429.",
		func() float64 { return float64(s.Stats().RateLimited) })
	m.CounterFunc("belfry_poll_not_modified_total", "Polling requests answered 304 Not Modified.",
		func() float64 { return float64(s.Stats().NotModified) })
	m.GaugeFunc("belfry_poll_waiting", "Long polls waiting for a notification.",
		func() float64 { return float64(s.Stats().Waiting) })
}
