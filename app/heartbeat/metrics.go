package heartbeat

import "github.com/belfry/belfry/app/metrics"

// Observe registers the heartbeats' metrics on m.
func (s *Service) Observe(m *metrics.Registry) {
	m.CounterFunc("belfry_heartbeat_pings_total", "Heartbeat pings accepted.",
		func() float64 { return float64(s.pings.Load()) })
	m.CounterFunc("belfry_heartbeat_alerts_total", "Heartbeat checks that went late or down.",
		func() float64 { return float64(s.alerts.Load()) })
	m.CounterFunc("belfry_heartbeat_wakeups_total", "Wake-ups of the heartbeat deadline timer.",
		func() float64 { return float64(s.alarm.Wakeups()) })
}
