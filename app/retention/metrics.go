package retention

import "github.com/belfry/belfry/app/metrics"

// Observe registers the job's metrics on m.
func (j *Job) Observe(m *metrics.Registry) {
	m.CounterFunc("belfry_retention_runs_total", "Pruning passes of the retention job.",
		func() float64 { return float64(j.Stats().Runs) })
	m.CounterFunc("belfry_retention_failures_total", "Pruning passes that stopped on an error.",
		func() float64 { return float64(j.Stats().Failed) })
	m.CounterFunc("belfry_retention_deleted_total", "Rows deleted by the retention job.",
		func() float64 { return float64(j.Stats().Deleted) })
}
