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
	m.GaugeFunc("belfry_heartbeat_next_deadline_timestamp_seconds", "When the timer wakes for the next heartbeat deadline (Unix time); 0 for none.",
		func() float64 { return float64(s.alarm.Armed()) / 1000 })
}
