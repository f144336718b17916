package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const adminPassword = "faults-test-password"

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
)

// belfryBinary returns the belfry binary under test: $BELFRY_BIN, or one
// built once from this module into a temporary directory.
func belfryBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("BELFRY_BIN"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "belfry-faults-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildBin = filepath.Join(dir, "belfry")
		cmd := exec.Command("go", "build", "-o", buildBin, ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build (run `make assets` first if the UI assets are missing): %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// moduleRoot is the directory of this module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the belfry module")
	}
	return filepath.Dir(gomod), nil
}

// requireRoot skips the test unless it runs as root, which mounting needs.
func requireRoot(t *testing.T, what string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("%s needs root to mount a file system; run as root (CI does)", what)
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// instance is one belfry installation: a database path, a listen address
// and the environment every command of it runs with.
type instance struct {
	t    *testing.T
	bin  string
	addr string
	env  []string
	logs string // directory of the servers' output
	runs int
}

// newInstance prepares an installation whose database lives at dbPath,
// with durability full or normal. Background jobs that would write at
// unpredictable times (retention, the weekly report) are off; the polling
// rate limit is raised so a test can read everything back at once.
func newInstance(t *testing.T, dbPath, durability string, extraEnv ...string) *instance {
	t.Helper()
	addr := freeAddr(t)
	env := append(environWithoutBelfry(),
		"BELFRY_DATABASE_PATH="+dbPath,
		"BELFRY_DATABASE_DURABILITY="+durability,
		"BELFRY_SERVER_LISTEN="+addr,
		"BELFRY_SERVER_BASE_URL=http://"+addr,
		"BELFRY_AUTH_ADMIN_PASSWORD="+adminPassword,
		"BELFRY_RETENTION_ENABLED=false",
		"BELFRY_REPORT_ENABLED=false",
		"BELFRY_POLLING_RATE_PER_SECOND=100000",
		"BELFRY_POLLING_BURST=100000",
		"BELFRY_LOG_LEVEL=warn",
	)
	return &instance{t: t, bin: belfryBinary(t), addr: addr, env: append(env, extraEnv...), logs: t.TempDir()}
}

// environWithoutBelfry is this process's environment without any BELFRY_
// variable: belfry refuses unknown ones (this package's own BELFRY_BIN and
// BELFRY_FAULTS_TRIALS among them), and the tests set what they mean.
func environWithoutBelfry() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BELFRY_") {
			env = append(env, kv)
		}
	}
	return env
}

// url returns the server's URL of path.
func (in *instance) url(path string) string { return "http://" + in.addr + path }

// cli runs a belfry command and returns its standard output, trimmed.
func (in *instance) cli(args ...string) string {
	in.t.Helper()
	code, stdout, stderr := in.run(nil, args...)
	if code != 0 {
		in.t.Fatalf("belfry %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return strings.TrimSpace(stdout)
}

// run runs a belfry command with extra environment variables (later ones
// win) and returns its exit status and output. A command still running
// after 30 s is killed and fails the test.
func (in *instance) run(env []string, args ...string) (code int, stdout, stderr string) {
	in.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, in.bin, args...)
	cmd.Env = append(append([]string(nil), in.env...), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		in.t.Fatalf("belfry %s still running after 30 s\n%s", strings.Join(args, " "), errOut.String())
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		in.t.Fatalf("belfry %s: %v", strings.Join(args, " "), err)
	}
	return code, out.String(), errOut.String()
}

// server is one running `belfry serve` process.
type server struct {
	in   *instance
	cmd  *exec.Cmd
	log  string
	done chan error
}

// serve starts `belfry serve` and waits until /readyz answers 200.
func (in *instance) serve() *server {
	in.t.Helper()
	in.runs++
	log := filepath.Join(in.logs, fmt.Sprintf("serve-%d.log", in.runs))
	f, err := os.Create(log)
	if err != nil {
		in.t.Fatal(err)
	}
	cmd := exec.Command(in.bin, "serve")
	cmd.Env = in.env
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		in.t.Fatal(err)
	}
	s := &server{in: in, cmd: cmd, log: log, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait(); f.Close() }()
	in.t.Cleanup(func() { s.kill() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-s.done:
			s.done <- err
			in.t.Fatalf("belfry serve exited before it was ready: %v\n%s", err, s.output())
		default:
		}
		if status, _ := httpGet(in.url("/readyz"), ""); status == http.StatusOK {
			return s
		}
		if time.Now().After(deadline) {
			in.t.Fatalf("belfry serve not ready after 60 s\n%s", s.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// output returns what the server printed so far.
func (s *server) output() string {
	b, _ := os.ReadFile(s.log)
	return string(b)
}

// kill ends the server with SIGKILL, as a crash would, and waits for it.
func (s *server) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	err := <-s.done
	s.done <- err
}

// stop shuts the server down with SIGTERM and fails the test unless it
// exits cleanly within the shutdown timeout.
func (s *server) stop() {
	s.in.t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err
		if err != nil {
			s.in.t.Fatalf("belfry serve exited with %v after SIGTERM\n%s", err, s.output())
		}
	case <-time.After(30 * time.Second):
		s.in.t.Fatalf("belfry serve still running 30 s after SIGTERM\n%s", s.output())
	}
}

// httpClient is shared by every request of the tests: publishers reuse
// their connections.
var httpClient = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 64},
}

// httpGet answers the status and body of GET url with an optional bearer
// token; status 0 means the request failed.
func httpGet(url, token string) (int, []byte) {
	return httpDo(context.Background(), http.MethodGet, url, token, nil)
}

// httpDo sends one request with an optional JSON body.
func httpDo(ctx context.Context, method, url, token string, body []byte) (int, []byte) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return 0, []byte(err.Error())
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes()
}
