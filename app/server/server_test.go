package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server"
	"github.com/gin-gonic/gin"
)

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestNewServerInvalidConfig(t *testing.T) {
	cfg := app.DefaultConfig()
	cfg.Database.Path = filepath.Join(t.TempDir(), "belfry.db")
	cfg.Log.Format = "xml"
	_, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if app.ErrorKind(err) != app.EINVALID {
		t.Fatalf("err %v, want EINVALID", err)
	}
}

// newLoggedServer builds a server whose debug log goes to the returned buffer.
func newLoggedServer(t *testing.T, change func(*app.Config)) (*server.Server, *syncBuffer) {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.Database.Path = filepath.Join(t.TempDir(), "belfry.db")
	cfg.Auth.AdminPassword = "admin password"
	if change != nil {
		change(&cfg)
	}
	logs := &syncBuffer{}
	s, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s, logs
}

func TestRequestLogHidesSecrets(t *testing.T) {
	s, logs := newLoggedServer(t, nil)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/me?cursor=abc", nil)
	req.Header.Set("Authorization", "Bearer secret-token-value")
	req.AddCookie(&http.Cookie{Name: "belfry_session", Value: "secret-cookie-value"})
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	s.Handler.ServeHTTP(httptest.NewRecorder(), req)
	out := logs.String()
	if !strings.Contains(out, "msg=request method=GET path=/api/v1/me status=401") {
		t.Fatalf("request not logged:\n%s", out)
	}
	for _, secret := range []string{"secret-token-value", "secret-cookie-value", "cursor=abc"} {
		if strings.Contains(out, secret) {
			t.Fatalf("log contains %q:\n%s", secret, out)
		}
	}
	// No trusted proxy: X-Forwarded-For is ignored.
	if !strings.Contains(out, "client=192.0.2.1") {
		t.Fatalf("client is not the TCP peer:\n%s", out)
	}
}

func TestTrustedProxies(t *testing.T) {
	s, logs := newLoggedServer(t, func(c *app.Config) { c.Server.TrustedProxies = []string{"192.0.2.0/24"} })
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	s.Handler.ServeHTTP(httptest.NewRecorder(), req)
	if !strings.Contains(logs.String(), "client=203.0.113.9") {
		t.Fatalf("forwarded client not used behind a trusted proxy:\n%s", logs)
	}
}

func TestEngineErrors(t *testing.T) {
	s, logs := newLoggedServer(t, nil)
	s.Engine().GET("/test/panic", func(*gin.Context) { panic("boom") })
	for _, tc := range []struct {
		method, path, origin string
		status               int
		body                 string
	}{
		{"GET", "/no/such/page", "", 404, `{"error":{"code":"NOT_FOUND","message":"No route for GET /no/such/page."}}`},
		{"GET", "/test/panic", "", 500, `{"error":{"code":"INTERNAL","message":"Internal error."}}`},
		// The cross-origin guard runs on every route, also unknown ones.
		{"POST", "/no/such/page", "https://evil.example", 403, `{"error":{"code":"FORBIDDEN","message":"Cross-origin request refused."}}`},
	} {
		req := httptest.NewRequest(tc.method, tc.path, nil)
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
		}
		rec := httptest.NewRecorder()
		s.Handler.ServeHTTP(rec, req)
		if rec.Code != tc.status || strings.TrimSpace(rec.Body.String()) != tc.body {
			t.Errorf("%s %s: %d %s, want %d %s", tc.method, tc.path, rec.Code, rec.Body, tc.status, tc.body)
		}
	}
	if !strings.Contains(logs.String(), "panic=boom") {
		t.Fatalf("panic not logged:\n%s", logs)
	}
}

func TestReadyFailsOnceClosing(t *testing.T) {
	s, _ := newLoggedServer(t, nil)
	rec := httptest.NewRecorder()
	s.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"version":"dev"`) {
		t.Fatalf("readyz: %d %s", rec.Code, rec.Body)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec = httptest.NewRecorder()
	s.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz after Close: %d %s", rec.Code, rec.Body)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestServerCloseStopsBackgroundWorkFirst(t *testing.T) {
	s, _ := newLoggedServer(t, nil)
	bgDone := make(chan struct{})
	var dbOpenAtStop bool
	s.Go(func(ctx context.Context) {
		defer close(bgDone)
		<-ctx.Done()
		dbOpenAtStop = s.DB.Ping(context.Background()) == nil
	})
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-bgDone
	if !dbOpenAtStop {
		t.Fatal("the database was closed before the background work ended")
	}
	if err := s.DB.Ping(context.Background()); err == nil {
		t.Fatal("database still open after Close")
	}
}
