package cli

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	env, _ := testEnv(t)
	s := startServe(t, env)
	res := mustRun(t, nil, "", "healthcheck", "--url", s.url)
	if res.stdout != "ready: belfry test-1 at "+s.url+"\n" {
		t.Fatalf("stdout %q", res.stdout)
	}
	// From the configuration, as the container's HEALTHCHECK does: the
	// image listens on 0.0.0.0, which is asked on loopback.
	port := s.url[strings.LastIndex(s.url, ":")+1:]
	for _, listen := range []string{"0.0.0.0:" + port, "127.0.0.1:" + port, "[::]:" + port} {
		mustRun(t, []string{"BELFRY_SERVER_LISTEN=" + listen}, "", "healthcheck")
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	wantFailure(t, runCLI(t, nil, "", "healthcheck", "--url", s.url), 1, "not healthy: ")
}

func TestHealthcheckNotReady(t *testing.T) {
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		http.Error(w, `{"error":{"code":"UNAVAILABLE","message":"shutting down"}}`, http.StatusServiceUnavailable)
	}))
	defer busy.Close()
	wantFailure(t, runCLI(t, nil, "", "healthcheck", "--url", busy.URL), 1, "not healthy: GET "+busy.URL+"/readyz answered 503 Service Unavailable")
}

func TestHealthcheckUsage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close() // a port where nothing listens
	wantFailure(t, runCLI(t, []string{"BELFRY_SERVER_LISTEN=" + ln.Addr().String()}, "", "healthcheck"), 1, "not healthy: ")
	wantFailure(t, runCLI(t, []string{"BELFRY_SERVER_LISTEN=127.0.0.1:0"}, "", "healthcheck"), 2, "picks a free port: give the server's address with --url")
	wantFailure(t, runCLI(t, []string{"BELFRY_SERVER_LISTEN=nope"}, "", "healthcheck"), 2, "server.listen must be host:port")
	wantFailure(t, runCLI(t, nil, "", "healthcheck", "--url", "::bad"), 2, "healthcheck: --url")
	wantFailure(t, runCLI(t, nil, "", "healthcheck", "--timeout", "soon"), 2, "invalid value")
}
