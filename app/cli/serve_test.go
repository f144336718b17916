package cli

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
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

func TestCLIDesktopModeRefused(t *testing.T) {
	env, _ := testEnv(t)
	wantFailure(t, runCLI(t, append(env, "BELFRY_AUTH_DESKTOP_USER=admin", "BELFRY_SERVER_LISTEN=0.0.0.0:0"), "", "serve"),
		2, `server.listen must be a loopback address such as 127.0.0.1:8080, not "0.0.0.0:0"`)
	wantFailure(t, runCLI(t, append(env, "BELFRY_AUTH_DESKTOP_USER=nobody"), "", "serve"),
		2, `auth.desktop_user: there is no user "nobody" (create it with: belfry user add nobody --admin)`)
}

func TestCLIMetricsOwnListener(t *testing.T) {
	env, _ := testEnv(t)
	srv := startServe(t, append(env, "BELFRY_METRICS_LISTEN=127.0.0.1:0"))
	if len(srv.before) != 2 {
		t.Fatalf("printed %q, want the admin password and the metrics address", srv.before)
	}
	addr, ok := strings.CutPrefix(srv.before[1], "Metrics on ")
	if !ok {
		t.Fatalf("printed %q", srv.before)
	}
	url := strings.TrimSuffix(addr, "/metrics")
	if code, body := scrapeFrom(t, url, "203.0.113.7"); code != 200 || !strings.Contains(body, "belfry_build_info") {
		t.Fatalf("metrics listener: %d %.200s", code, body)
	}
	if code, _ := scrapeFrom(t, srv.url, ""); code != http.StatusNotFound {
		t.Fatalf("/metrics on the main listener while metrics.listen is set: %d", code)
	}
	if err := srv.stop(t); err != nil {
		t.Fatal(err)
	}
}

// scrapeFrom GETs url/metrics, through a proxy for client when it is set.
func scrapeFrom(t *testing.T, url, client string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if client != "" {
		req.Header.Set("X-Forwarded-For", client)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
