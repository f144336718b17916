package metrics_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/metrics"
	"github.com/gin-gonic/gin"
)

// scrape returns the text exposition of r.
func scrape(t *testing.T, r *metrics.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// value returns the value of the sample series (name with its labels, as
// exposed: `belfry_x{a="b"}`), failing when it is absent.
func value(t *testing.T, text, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("no series %s in:\n%s", series, text)
	return 0
}

func TestBuiltinMetrics(t *testing.T) {
	r := metrics.New("v1.2.3")
	text := scrape(t, r)
	if !strings.Contains(text, `belfry_build_info{goversion="go`) || !strings.Contains(text, `version="v1.2.3"} 1`) {
		t.Fatalf("no build info:\n%s", text)
	}
	for _, name := range []string{"go_goroutines", "belfry_db_commit_batch_size_bucket", "belfry_db_commit_seconds_count"} {
		if !strings.Contains(text, name) {
			t.Errorf("%s missing", name)
		}
	}
	if value(t, text, `belfry_notification_changes_total{kind="read_all"}`) != 0 {
		t.Fatal("changes do not start at 0")
	}
}

func TestFuncMetrics(t *testing.T) {
	r := metrics.New("dev")
	sockets := map[string]float64{"notification": 3, "channels": 1}
	for endpoint, n := range sockets {
		r.GaugeFunc("belfry_ws_sockets", "Live WebSocket connections.", func() float64 { return n }, "endpoint", endpoint)
	}
	var sent float64
	r.CounterFunc("belfry_test_sent_total", "Sent.", func() float64 { return sent })
	sent = 41
	text := scrape(t, r)
	if value(t, text, `belfry_ws_sockets{endpoint="notification"}`) != 3 || value(t, text, `belfry_ws_sockets{endpoint="channels"}`) != 1 {
		t.Fatalf("sockets:\n%s", text)
	}
	if value(t, text, "belfry_test_sent_total") != 41 || !strings.Contains(text, "# TYPE belfry_test_sent_total counter") {
		t.Fatalf("counter:\n%s", text)
	}

	for name, register := range map[string]func(){
		"duplicate": func() { r.GaugeFunc("belfry_ws_sockets", "Live WebSocket connections.", nil, "endpoint", "channels") },
		//lint:ignore SA5012 the test checks that an odd label list panics
		"odd labels": func() { r.GaugeFunc("belfry_odd", "Odd.", nil, "endpoint") },
		"bad name":   func() { r.GaugeFunc("belfry-bad", "Bad.", nil) },
		"no prefix":  func() { r.GaugeFunc("sockets", "Bad.", nil) },
		"counter":    func() { r.CounterFunc("belfry_sent", "Not _total.", nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic for a wiring mistake")
				}
			}()
			register()
		})
	}
}

func TestCommitsAndDatabaseSize(t *testing.T) {
	r := metrics.New("dev")
	for _, batch := range []int{1, 3, 3, 100} {
		r.ObserveCommit(batch, 2*time.Millisecond)
	}
	path := filepath.Join(t.TempDir(), "belfry.db")
	r.DatabaseFiles(path)
	if text := scrape(t, r); value(t, text, "belfry_db_size_bytes") != 0 {
		t.Fatal("a missing database has a size")
	}
	if err := os.WriteFile(path, make([]byte, 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+"-wal", make([]byte, 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	text := scrape(t, r)
	for series, want := range map[string]float64{
		"belfry_db_commit_batch_size_count":            4,
		"belfry_db_commit_batch_size_sum":              107,
		`belfry_db_commit_batch_size_bucket{le="1"}`:   1,
		`belfry_db_commit_batch_size_bucket{le="4"}`:   3,
		`belfry_db_commit_batch_size_bucket{le="64"}`:  3,
		`belfry_db_commit_batch_size_bucket{le="128"}`: 4,
		"belfry_db_commit_seconds_count":               4,
		`belfry_db_commit_seconds_bucket{le="0.001"}`:  0,
		`belfry_db_commit_seconds_bucket{le="0.0025"}`: 4,
		"belfry_db_size_bytes":                         5096,
		"belfry_db_wal_size_bytes":                     1000,
	} {
		if got := value(t, text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
}

func TestCountChange(t *testing.T) {
	r := metrics.New("dev")
	for _, k := range []app.ChangeKind{app.ChangeCreated, app.ChangeCreated, app.ChangeRead, app.ChangeDeleted, 99} {
		r.CountChange(app.Change{Kind: k, UserID: "u"})
	}
	text := scrape(t, r)
	for series, want := range map[string]float64{
		"belfry_notifications_published_total":              2,
		`belfry_notification_changes_total{kind="created"}`: 2,
		`belfry_notification_changes_total{kind="read"}`:    1,
		`belfry_notification_changes_total{kind="deleted"}`: 1,
		`belfry_notification_changes_total{kind="other"}`:   1,
	} {
		if got := value(t, text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
}

func TestMiddleware(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	r := metrics.New("dev")
	e := gin.New()
	e.Use(r.Middleware())
	e.GET("/api/notifications/:id", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	e.GET("/ws/", func(c *gin.Context) { c.Status(http.StatusBadRequest) })
	for _, req := range []*http.Request{
		httptest.NewRequest("GET", "/api/notifications/0190-a", nil),
		httptest.NewRequest("GET", "/api/notifications/0190-b", nil),
		httptest.NewRequest("GET", "/nowhere/secret-token", nil),
		httptest.NewRequest("BREW", "/api/notifications/x", nil),
		func() *http.Request {
			req := httptest.NewRequest("GET", "/ws/", nil)
			req.Header.Set("Upgrade", "websocket")
			return req
		}(),
	} {
		e.ServeHTTP(httptest.NewRecorder(), req)
	}
	text := scrape(t, r)
	for series, want := range map[string]float64{
		`belfry_http_requests_total{code="204",method="GET",route="/api/notifications/:id"}`: 2,
		`belfry_http_requests_total{code="404",method="GET",route="unmatched"}`:              1,
		`belfry_http_requests_total{code="404",method="other",route="unmatched"}`:            1,
		`belfry_http_requests_total{code="400",method="GET",route="/ws/"}`:                   1,
		`belfry_http_request_duration_seconds_count{route="/api/notifications/:id"}`:         2,
	} {
		if got := value(t, text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if strings.Contains(text, "0190-a") || strings.Contains(text, "secret-token") {
		t.Fatal("a request path became a label value")
	}
	if strings.Contains(text, `belfry_http_request_duration_seconds_count{route="/ws/"}`) {
		t.Fatal("a WebSocket handshake was timed")
	}
}
