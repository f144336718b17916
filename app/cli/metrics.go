package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
	"github.com/belfry/belfry/app/channels"
	"github.com/belfry/belfry/app/hub"
	"github.com/belfry/belfry/app/poll"
	"github.com/belfry/belfry/app/webhook"
	"github.com/gin-gonic/gin"
)

// observeCore registers the metrics of what NewServer always wires: the
// database, the bus and the retention job.
func (s *Server) observeCore() {
	m := s.Metrics
	m.DatabaseFiles(s.DB.Path())
	m.CounterFunc("belfry_db_writes_total", "Writes committed or refused by the database writer.",
		func() float64 { return float64(s.DB.WriterStats().Requests) })
	m.CounterFunc("belfry_db_writes_failed_total", "Writes of the database writer that failed.",
		func() float64 { return float64(s.DB.WriterStats().Failed) })
	s.Bus.Subscribe(m.CountChange)
	m.CounterFunc("belfry_retention_runs_total", "Pruning passes of the retention job.",
		func() float64 { return float64(s.Retention.Stats().Runs) })
	m.CounterFunc("belfry_retention_failures_total", "Pruning passes that stopped on an error.",
		func() float64 { return float64(s.Retention.Stats().Failed) })
	m.CounterFunc("belfry_retention_deleted_total", "Rows deleted by the retention job.",
		func() float64 { return float64(s.Retention.Stats().Deleted) })
}

// observeCapabilities registers the metrics of the capabilities that
// wire() built. A capability without a Server field (the polling API)
// calls its hook from its own wiring instead: observePolling(s, p.Stats).
func (s *Server) observeCapabilities() {
	if s.Hub != nil {
		observeHub(s, s.Hub.Stats)
	}
	if s.Channels != nil {
		observeChannels(s, s.Channels.Stats)
	}
	if s.Webhooks != nil {
		observeWebhooks(s, s.Webhooks.Stats)
	}
}

// The hooks below each register one capability's metrics from its Stats
// method.

// observeHub registers the /ws/notification/ hub's metrics.
func observeHub(s *Server, stats func() hub.Stats) {
	m := s.Metrics
	m.GaugeFunc("belfry_ws_sockets", "Live WebSocket connections.",
		func() float64 { return float64(stats().Sockets) }, "endpoint", "notification")
	m.CounterFunc("belfry_ws_frames_sent_total", "Frames written to WebSocket connections (notifications delivered live).",
		func() float64 { return float64(stats().Pushes) }, "endpoint", "notification")
	m.CounterFunc("belfry_ws_slow_disconnects_total", "WebSocket connections closed because they did not read fast enough.",
		func() float64 { return float64(stats().DroppedSlow) }, "endpoint", "notification")
	m.CounterFunc("belfry_storm_activations_total", "Times a user entered a notification storm.",
		func() float64 { return float64(stats().StormActivations) })
}

// observeChannels registers the /ws/channels/ service's metrics.
func observeChannels(s *Server, stats func() channels.Stats) {
	m := s.Metrics
	m.GaugeFunc("belfry_ws_sockets", "Live WebSocket connections.",
		func() float64 { return float64(stats().Sockets) }, "endpoint", "channels")
	m.CounterFunc("belfry_ws_frames_sent_total", "Frames written to WebSocket connections (notifications delivered live).",
		func() float64 { return float64(stats().EventsSent) }, "endpoint", "channels")
	m.CounterFunc("belfry_ws_slow_disconnects_total", "WebSocket connections closed because they did not read fast enough.",
		func() float64 { return float64(stats().Dropped) }, "endpoint", "channels")
	m.GaugeFunc("belfry_channel_subscriptions", "Channel subscriptions of live connections.",
		func() float64 { return float64(stats().Subscriptions) })
}

// observePolling registers the REST polling API's metrics.
func observePolling(s *Server, stats func() poll.Stats) {
	m := s.Metrics
	m.CounterFunc("belfry_poll_requests_total", "Requests to the REST polling API.",
		func() float64 { return float64(stats().Requests) })
	m.CounterFunc("belfry_poll_rate_limited_total", "Polling requests refused with 429.",
		func() float64 { return float64(stats().RateLimited) })
	m.CounterFunc("belfry_poll_not_modified_total", "Polling requests answered 304 Not Modified.",
		func() float64 { return float64(stats().NotModified) })
	m.GaugeFunc("belfry_poll_waiting", "Long polls waiting for a notification.",
		func() float64 { return float64(stats().Waiting) })
}

// observeWebhooks registers the webhook outbox worker's metrics.
func observeWebhooks(s *Server, stats func() webhook.Stats) {
	m := s.Metrics
	for outcome, fn := range map[string]func(webhook.Stats) uint64{
		"delivered": func(st webhook.Stats) uint64 { return st.Delivered },
		"retried":   func(st webhook.Stats) uint64 { return st.Retried },
		"failed":    func(st webhook.Stats) uint64 { return st.Failed },
	} {
		m.CounterFunc("belfry_webhook_deliveries_total", "Webhook delivery attempts by outcome: delivered, retried later, failed for good.",
			func() float64 { return float64(fn(stats())) }, "outcome", outcome)
	}
	m.CounterFunc("belfry_webhook_disabled_total", "Webhooks disabled because their receiver answered 410 Gone.",
		func() float64 { return float64(stats().Disabled) })
	m.GaugeFunc("belfry_webhook_queue_depth", "Deliveries waiting in the outbox.",
		func() float64 { return float64(stats().Pending) })
	m.GaugeFunc("belfry_webhook_in_flight", "Webhooks being delivered to right now.",
		func() float64 { return float64(stats().Lanes) })
}

// registerOperations adds /api/openapi.json and, unless metrics have a
// listener of their own, /metrics for local clients and administrators.
func (s *Server) registerOperations(e *gin.Engine) {
	e.GET(api.OpenAPIPath, api.OpenAPIHandler(e.Routes))
	if !s.Config.Metrics.Enabled || s.Config.Metrics.Listen != "" {
		return
	}
	h := s.Metrics.Handler()
	e.GET("/metrics", s.API.Authenticate(), serveLocal(h), api.RequireUser(app.ScopeAdmin), requireAdmin, gin.WrapH(h))
}

// serveLocal answers a request from this machine (not through a proxy)
// with h; any other request goes on to the handlers after it.
func serveLocal(h http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		if isLocalRequest(c.Request) {
			h.ServeHTTP(c.Writer, c.Request)
			c.Abort()
			return
		}
		c.Next()
	}
}

// requireAdmin lets administrators through; it follows api.RequireUser.
func requireAdmin(c *gin.Context) {
	if u := api.UserFrom(c); u == nil || !u.IsAdmin {
		api.WriteError(c, app.Errorf(app.EFORBIDDEN, "Only administrators may read the metrics."))
		return
	}
	c.Next()
}

// listenMetrics opens metrics.listen, or returns nil when metrics are off
// or share the main listener.
func listenMetrics(cfg app.MetricsConfig) (net.Listener, error) {
	if !cfg.Enabled || cfg.Listen == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (metrics.listen): %w", cfg.Listen, err)
	}
	return ln, nil
}

// serveMetrics answers GET /metrics on ln, to anyone, until Close begins.
func (s *Server) serveMetrics(ln net.Listener) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.Metrics.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.Go(func(ctx context.Context) {
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
