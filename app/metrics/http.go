package metrics

import (
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

func (r *Registry) newHTTPMetrics() {
	r.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "belfry_http_requests_total",
		Help: "HTTP requests answered, by method, route pattern and status code.",
	}, []string{"method", "route", "code"})
	r.durations = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "belfry_http_request_duration_seconds",
		Help:    "Time to answer HTTP requests, by route pattern (WebSocket connections excluded).",
		Buckets: []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10},
	}, []string{"route"})
	r.reg.MustRegister(r.requests, r.durations)
}

// Middleware counts every request by method, route pattern (such as
// /api/notifications/:id, so ids never become labels) and status; a path
// that matched no route is counted as "unmatched". Install it before the
// routes. WebSocket handshakes are counted but their duration, which is the
// connection's lifetime, is not observed.
func (r *Registry) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		method := c.Request.Method
		if !knownMethod(method) {
			method = "other"
		}
		r.requests.WithLabelValues(method, route, strconv.Itoa(c.Writer.Status())).Inc()
		if !strings.EqualFold(c.GetHeader("Upgrade"), "websocket") {
			r.durations.WithLabelValues(route).Observe(time.Since(start).Seconds())
		}
	}
}

// knownMethod keeps arbitrary request methods from becoming label values.
func knownMethod(m string) bool {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		return true
	}
	return false
}
