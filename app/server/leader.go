package server

import (
	"context"
	"sync"

	"github.com/belfry/belfry/app/metrics"
)

// lead runs rs — the background work done once in the whole cluster: the
// timers of scheduled deliveries, heartbeats and escalation ladders, the
// quiet-hours digests, the weekly report and retention — while this
// replica leads (db.Lead; on SQLite, always), until Close begins. They
// stop when the lead is lost and start again when it is taken back.
func (s *Server) lead(rs ...runner) {
	s.goBackground(func(ctx context.Context) {
		s.DB.Lead(ctx, &s.Leadership, func(ctx context.Context) {
			var wg sync.WaitGroup
			for _, r := range rs {
				wg.Go(func() { r.Run(ctx) })
			}
			wg.Wait()
		})
	})
}

// observeLeadership registers the leadership's metrics.
func (s *Server) observeLeadership(m *metrics.Registry) {
	m.GaugeFunc("belfry_cluster_leader", "1 while this replica runs the cluster's timers, digests, reports and retention.",
		func() float64 {
			if s.Leadership.Leading() {
				return 1
			}
			return 0
		})
	m.CounterFunc("belfry_cluster_leader_terms_total", "Times this replica took the lead of the cluster's background work.",
		func() float64 { return float64(s.Leadership.Terms()) })
}
