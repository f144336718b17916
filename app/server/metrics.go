package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/belfry/belfry/app"
)

// observe registers the metrics of the database, the bus and obs.
func (s *Server) observe(obs ...observer) {
	m := s.Metrics
	if path := s.DB.Path(); path != "" { // PostgreSQL has no file here
		m.DatabaseFiles(path)
	}
	m.CounterFunc("belfry_db_writes_total", "Writes committed or refused by the database writer.",
		func() float64 { return float64(s.DB.WriterStats().Requests) })
	m.CounterFunc("belfry_db_writes_failed_total", "Writes of the database writer that failed.",
		func() float64 { return float64(s.DB.WriterStats().Failed) })
	s.Bus.SubscribeOwn(m.CountChange) // the changes this replica made
	s.observeLeadership(m)
	for _, o := range obs {
		o.Observe(m)
	}
}

// ListenMetrics opens metrics.listen, or returns nil when metrics are off
// or share the main listener.
func ListenMetrics(cfg app.MetricsConfig) (net.Listener, error) {
	if !cfg.Enabled || cfg.Listen == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (metrics.listen): %w", cfg.Listen, err)
	}
	return ln, nil
}

// ServeMetrics answers GET /metrics on ln, to anyone, until Close begins.
func (s *Server) ServeMetrics(ln net.Listener) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.Metrics.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.goBackground(func(ctx context.Context) {
		go func() {
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_ = hs.Shutdown(sctx)
		}()
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.Logger.Error("metrics listener failed", "err", err)
		}
	})
}
