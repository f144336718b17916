package schedule

import (
	"context"
	"time"

	"github.com/belfry/belfry/app/metrics"
)

// Observe registers scheduled delivery's metrics on m.
func (s *Service) Observe(m *metrics.Registry) {
	m.GaugeFunc("belfry_scheduled_pending", "Scheduled events waiting for their delivery time.", func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		n, err := s.d.Store.CountScheduled(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	m.CounterFunc("belfry_scheduled_delivered_total", "Scheduled events delivered through the dispatcher.",
		func() float64 { return float64(s.delivered.Load()) })
	m.CounterFunc("belfry_scheduled_refused_total", "Scheduled events the dispatcher refused when they fell due (dropped).",
		func() float64 { return float64(s.failed.Load()) })
	m.CounterFunc("belfry_scheduled_wakeups_total", "Wake-ups of the scheduled delivery timer.",
		func() float64 { return float64(s.alarm.Wakeups()) })
	m.GaugeFunc("belfry_scheduled_next_delivery_timestamp_seconds", "When the timer wakes for the next scheduled event (Unix time); 0 for none.",
		func() float64 { return float64(s.alarm.Armed()) / 1000 })
}
