package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/belfry/belfry/app"
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

// served is a belfry serve running in the background.
type served struct {
	url    string   // http://host:port it listens on
	before []string // stdout lines printed before the listening line
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// startServe runs `belfry serve` with env and returns once it listens.
func startServe(t *testing.T, env []string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &served{stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	r := &runner{stdin: strings.NewReader(""), stdout: pw, stderr: s.stderr, environ: env, version: "test-1"}
	go func() {
		err := r.run(ctx, []string{"serve"})
		pw.CloseWithError(io.EOF)
		s.done <- err
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "Belfry listening on "); ok {
			s.url = u
			break
		}
		s.before = append(s.before, sc.Text())
	}
	if s.url == "" {
		cancel()
		t.Fatalf("serve stopped before listening: %v\nstderr: %s", <-s.done, s.stderr)
	}
	go io.Copy(io.Discard, pr)
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop cancels the server and returns what serve returned.
func (s *served) stop(t *testing.T) error {
	t.Helper()
	if s.cancel == nil {
		return nil
	}
	s.cancel()
	s.cancel = nil
	return <-s.done
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestCLIServe(t *testing.T) {
	env, _ := testEnv(t)
	s := startServe(t, env)
	if !strings.HasPrefix(s.url, "http://127.0.0.1:") || strings.HasSuffix(s.url, ":0") {
		t.Fatalf("listening line shows %q, not the real address", s.url)
	}
	if len(s.before) != 1 || !strings.HasPrefix(s.before[0], `Created user "admin" with password: `) ||
		!strings.HasSuffix(s.before[0], "(change it with: belfry user passwd admin)") {
		t.Fatalf("first start printed %q", s.before)
	}
	password := strings.Fields(strings.TrimPrefix(s.before[0], `Created user "admin" with password: `))[0]
	if strings.Contains(s.stderr.String(), password) {
		t.Fatal("the admin password was logged")
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := get(t, s.url+path); code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("serve returned %v after cancel", err)
	}

	// A second start finds the admin and prints no password.
	s = startServe(t, env)
	if len(s.before) != 0 {
		t.Fatalf("second start printed %q", s.before)
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
}

func TestCLIServeAdminPasswordFromConfig(t *testing.T) {
	env, path := testEnv(t)
	s := startServe(t, append(env, "BELFRY_AUTH_ADMIN_PASSWORD=configured secret"))
	if len(s.before) != 0 {
		t.Fatalf("printed %q although the password is configured", s.before)
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	if !canLogin(t, path, "admin", "configured secret") {
		t.Fatal("admin cannot log in with the configured password")
	}
}

func TestCLIServeListenFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	env, _ := testEnv(t)
	env = append(env, "BELFRY_SERVER_LISTEN="+ln.Addr().String())
	wantFailure(t, runCLI(t, env, "", "serve"), 1, "listen on "+ln.Addr().String())
}

func TestCLIServeDatabaseFailure(t *testing.T) {
	env := []string{"BELFRY_DATABASE_PATH=" + t.TempDir(), "BELFRY_SERVER_LISTEN=127.0.0.1:0"} // a directory
	res := runCLI(t, env, "", "serve")
	if res.code() != 1 {
		t.Fatalf("exit %d (%v), want 1", res.code(), res.err)
	}
}

func TestCLINewServerInvalidConfig(t *testing.T) {
	cfg := app.DefaultConfig()
	cfg.Database.Path = filepath.Join(t.TempDir(), "belfry.db")
	cfg.Log.Format = "xml"
	_, err := NewServer(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if app.ErrorKind(err) != app.EINVALID {
		t.Fatalf("err %v, want EINVALID", err)
	}
}

// newLoggedServer builds a server whose debug log goes to the returned buffer.
func newLoggedServer(t *testing.T, change func(*app.Config)) (*Server, *syncBuffer) {
	t.Helper()
	cfg := app.DefaultConfig()
	cfg.Database.Path = filepath.Join(t.TempDir(), "belfry.db")
	cfg.Auth.AdminPassword = "admin password"
	if change != nil {
		change(&cfg)
	}
	logs := &syncBuffer{}
	s, err := NewServer(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s, logs
}

func TestCLIRequestLogHidesSecrets(t *testing.T) {
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

func TestCLITrustedProxies(t *testing.T) {
	s, logs := newLoggedServer(t, func(c *app.Config) { c.Server.TrustedProxies = []string{"192.0.2.0/24"} })
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	s.Handler.ServeHTTP(httptest.NewRecorder(), req)
	if !strings.Contains(logs.String(), "client=203.0.113.9") {
		t.Fatalf("forwarded client not used behind a trusted proxy:\n%s", logs)
	}
}

func TestCLIEngineErrors(t *testing.T) {
	s, logs := newLoggedServer(t, nil)
	s.Engine.GET("/test/panic", func(*gin.Context) { panic("boom") })
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

func TestCLIReadyFailsOnceClosing(t *testing.T) {
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

func TestCLIServerCloseRunsOnClose(t *testing.T) {
	s, _ := newLoggedServer(t, nil)
	var order []string
	bgDone := make(chan struct{})
	s.Go(func(ctx context.Context) {
		defer close(bgDone)
		<-ctx.Done()
		order = append(order, "background")
	})
	s.OnClose(func(context.Context) error { order = append(order, "first"); return nil })
	s.OnClose(func(context.Context) error { order = append(order, "second"); return nil })
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-bgDone
	if strings.Join(order, ",") != "background,second,first" {
		t.Fatalf("close order %v", order)
	}
	if err := s.DB.Ping(context.Background()); err == nil {
		t.Fatal("database still open after Close")
	}
}
