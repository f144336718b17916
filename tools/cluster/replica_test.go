package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	buildBin  string
	buildErr  error
)

// belfryBinary builds the belfry binary of this module once per test run
// (with the race detector when the tests have it, which reuses the
// packages go test compiled), or returns $BELFRY_BIN.
func belfryBinary(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv("BELFRY_BIN"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "belfry-cluster-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildBin = filepath.Join(dir, "belfry")
		args := []string{"build", "-o", buildBin}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, "../..")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build (run `make assets` first if the UI assets are missing): %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// replica is one `belfry serve` process.
type replica struct {
	name string
	URL  string
	cmd  *exec.Cmd
	log  *bytes.Buffer
	done chan struct{}
}

// startReplica runs `belfry serve` on a free loopback port with env (the
// cluster's settings) and waits until /readyz answers 200.
func startReplica(t testing.TB, bin, name string, env []string) *replica {
	t.Helper()
	port := freePort(t)
	r := &replica{name: name, URL: fmt.Sprintf("http://127.0.0.1:%d", port), log: &bytes.Buffer{}, done: make(chan struct{})}
	r.cmd = exec.Command(bin, "serve")
	r.cmd.Dir = t.TempDir()
	r.cmd.Env = slices.Concat(baseEnv(), env, []string{fmt.Sprintf("BELFRY_SERVER_LISTEN=127.0.0.1:%d", port)})
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		r.stop(t)
		if os.Getenv("CLUSTER_LOGS") != "" {
			t.Logf("%s logged:\n%s", name, r.log)
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(r.URL + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return r
			}
		}
		select {
		case <-r.done:
			t.Fatalf("%s exited before it was ready:\n%s", name, r.log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready within 60 s:\n%s", name, r.log)
		}
	}
}

// kill ends the process at once, as a crash does (SIGKILL).
func (r *replica) kill() {
	_ = r.cmd.Process.Kill()
	<-r.done
}

// stop ends the process gracefully, or kills it after 20 s.
func (r *replica) stop(t testing.TB) {
	select {
	case <-r.done:
		return
	default:
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(20 * time.Second):
		r.kill()
		t.Errorf("%s did not stop within 20 s", r.name)
	}
}

// baseEnv is this process's environment without any BELFRY_ setting, so
// that a developer's own cannot leak into the replicas.
func baseEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BELFRY_") {
			out = append(out, kv)
		}
	}
	if raceEnabled {
		out = append(out, "GORACE=atexit_sleep_ms=0 halt_on_error=1")
	}
	return out
}

// belfryCLI runs a belfry command with env and returns its trimmed output.
func belfryCLI(t testing.TB, bin string, env []string, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(baseEnv(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if e, ok := err.(*exec.ExitError); ok {
			stderr = e.Stderr
		}
		t.Fatalf("belfry %s: %v: %s", strings.Join(args, " "), err, stderr)
	}
	return strings.TrimSpace(string(out))
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// request sends a JSON request with a bearer token and decodes the answer
// into out (when not nil); it returns the status.
func request(ctx context.Context, method, url, token string, body, out any) (int, error) {
	return requestWith(ctx, http.DefaultClient, method, url, token, body, out)
}

// requestWith is request through client.
func requestWith(ctx context.Context, client *http.Client, method, url, token string, body, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode >= 300 {
		return res.StatusCode, fmt.Errorf("%s %s: %d: %s", method, url, res.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return res.StatusCode, fmt.Errorf("%s %s: %v: %s", method, url, err, data)
		}
	}
	return res.StatusCode, nil
}

// must is request that fails t unless the status is want.
func must(t testing.TB, method, url, token string, body any, want int) map[string]any {
	t.Helper()
	out := map[string]any{}
	status, err := request(context.Background(), method, url, token, body, &out)
	if err != nil || status != want {
		t.Fatalf("%s %s: status %d (%v), want %d", method, url, status, err, want)
	}
	return out
}
