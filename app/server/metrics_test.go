package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/gin-gonic/gin"
)

// scrapeWith GETs /metrics of ts with req adjusted by change.
func scrapeWith(t *testing.T, url string, change func(r *http.Request)) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func sample(text, series string) float64 { return apptest.Sample(text, series) }

func publishEvent(t *testing.T, url, token string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/api/v1/events",
		bytes.NewBufferString(`{"type":"job_failed","title":"backup failed"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("publish: %d", resp.StatusCode)
	}
}

func TestMetricsAfterWorkload(t *testing.T) {
	s := servertest.New(t)
	token := s.TokenFor("kate", false, app.ScopePublish)
	const events = 5
	for i := 0; i < events; i++ {
		publishEvent(t, s.URL, token)
	}
	s.Engine().GET("/test/panic", func(*gin.Context) { panic("boom") })
	if resp, err := http.Get(s.URL + "/test/panic"); err == nil {
		resp.Body.Close()
	}
	code, text := scrapeWith(t, s.URL, nil) // httptest listens on loopback: a local scrape
	if code != http.StatusOK {
		t.Fatalf("local scrape: %d %s", code, text)
	}
	for series, want := range map[string]float64{
		"belfry_notifications_published_total":                                        events,
		`belfry_notification_changes_total{kind="created"}`:                           events,
		`belfry_http_requests_total{code="202",method="POST",route="/api/v1/events"}`: events,
		`belfry_http_request_duration_seconds_count{route="/api/v1/events"}`:          events,
		"belfry_retention_runs_total":                                                 0,
	} {
		if got := sample(text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	for _, series := range []string{"belfry_db_writes_total", "belfry_db_commit_batch_size_count", "belfry_db_commit_seconds_count"} {
		if got := sample(text, series); got < events {
			t.Errorf("%s = %v, want at least %d", series, got, events)
		}
	}
	// The wired capabilities report too (their values here are zero).
	for _, series := range []string{`belfry_ws_sockets{endpoint="notification"}`, `belfry_ws_sockets{endpoint="channels"}`,
		`belfry_webhook_deliveries_total{outcome="delivered"}`, "belfry_storm_activations_total", "belfry_heartbeat_pings_total"} {
		if got := sample(text, series); got != 0 {
			t.Errorf("%s = %v, want 0", series, got)
		}
	}
	if sample(text, "process_resident_memory_bytes") <= 0 {
		t.Errorf("process size missing:\n%s", text)
	}
	// The database file's size is SQLite's; PostgreSQL has no file here.
	if onFile := s.DB.Path() != ""; onFile != (sample(text, "belfry_db_size_bytes") > 0) {
		t.Errorf("belfry_db_size_bytes on a database with file %q:\n%s", s.DB.Path(), text)
	}
	if strings.Contains(text, token) {
		t.Fatal("a token appears in the metrics")
	}
}

func TestMetricsAccess(t *testing.T) {
	s := servertest.New(t)
	adminToken := s.TokenFor("admin", true, app.ScopeAdmin)
	adminClient := s.TokenFor("admin", true, app.ScopeClient)
	adminPublish := s.TokenFor("admin", true, app.ScopePublish)
	kateUser, err := s.Auth.CreateUser(context.Background(), "kate", "password for kate", false)
	if err != nil {
		t.Fatal(err)
	}
	kateCookie, err := s.Auth.StartSession(context.Background(), kateUser)
	if err != nil {
		t.Fatal(err)
	}
	proxied := func(r *http.Request) { r.Header.Set("X-Forwarded-For", "203.0.113.7") }
	withToken := func(tok string) func(r *http.Request) {
		return func(r *http.Request) { proxied(r); r.Header.Set("Authorization", "Bearer "+tok) }
	}
	for _, tc := range []struct {
		name   string
		change func(r *http.Request)
		status int
		body   string
	}{
		{"local", nil, 200, "belfry_build_info"},
		{"through a proxy, anonymous", proxied, 401, `"code":"UNAUTHENTICATED"`},
		{"through a proxy, admin token", withToken(adminToken), 200, "belfry_build_info"},
		{"client token of an admin", withToken(adminClient), 403, "A client token may not do this."},
		{"publish token of an admin", withToken(adminPublish), 403, "A publish token may not do this."},
		{"session of a non-admin", func(r *http.Request) {
			proxied(r)
			r.AddCookie(&http.Cookie{Name: "belfry_session", Value: kateCookie})
		}, 403, "Only administrators may do this."},
		{"bad token", withToken("blf_nope"), 401, "AUTH_INVALID_TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := scrapeWith(t, s.URL, tc.change)
			if code != tc.status || !strings.Contains(body, tc.body) {
				t.Fatalf("%d %.200s, want %d with %q", code, body, tc.status, tc.body)
			}
		})
	}
	t.Run("not loopback", func(t *testing.T) {
		rec := httptest.NewRecorder()
		s.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("%d", rec.Code)
		}
	})
}

func TestMetricsDisabled(t *testing.T) {
	s := servertest.New(t, servertest.WithConfig(func(c *app.Config) { c.Metrics.Enabled = false }))
	if code, _ := scrapeWith(t, s.URL, nil); code != http.StatusNotFound {
		t.Fatalf("/metrics with metrics off: %d", code)
	}
}
