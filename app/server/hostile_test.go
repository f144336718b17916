package server_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
)

// bound keeps a broken server from hanging a test; no test asserts on
// time.
const bound = 30 * time.Second

// dial opens a raw connection to the server at url.
func dial(t *testing.T, url string) net.Conn { return dialFrom(t, url, nil) }

// dialFrom opens a raw connection from the local address from (nil: any).
func dialFrom(t *testing.T, url string, from net.Addr) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: from}
	c, err := d.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedByServer reports whether the server closed c (a read ends without
// data) before the bound.
func closedByServer(c net.Conn) bool {
	_ = c.SetReadDeadline(time.Now().Add(bound))
	n, err := c.Read(make([]byte, 1))
	var ne net.Error
	return n == 0 && err != nil && !(errorsAs(err, &ne) && ne.Timeout())
}

func errorsAs(err error, ne *net.Error) bool {
	e, ok := err.(net.Error)
	*ne = e
	return ok
}

func healthy(t *testing.T, url string) {
	t.Helper()
	client := &http.Client{Timeout: bound}
	resp, err := client.Get(url + "/healthz")
	if err != nil {
		t.Fatalf("a normal client was not served: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz = %d", resp.StatusCode)
	}
}

// TestSlowloris: hundreds of connections trickling headers from one address
// (127.0.0.2) do not keep a normal client (127.0.0.1) from being served.
// Each is closed by the server: at once beyond
// server.max_connections_per_address (256), the others once
// server.header_timeout passes without complete headers.
func TestSlowloris(t *testing.T) {
	const slow = 300
	s, _ := newLoggedServer(t, func(c *app.Config) {
		c.Server.HeaderTimeout = app.Duration{Duration: time.Second}
	})
	url, shutdown, done := serving(t, s)
	defer func() { shutdown(); _ = waitServe(t, done) }()

	conns := make([]net.Conn, slow)
	stop := make(chan struct{})
	var trickle sync.WaitGroup
	for i := range conns {
		conns[i] = dialFrom(t, url, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)})
		_, _ = io.WriteString(conns[i], "GET /healthz HTTP/1.1\r\nHost: belfry\r\n")
		trickle.Add(1)
		go func(c net.Conn) {
			defer trickle.Done()
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if _, err := io.WriteString(c, "X-Slow: 1\r\n"); err != nil {
						return // closed by the server
					}
				}
			}
		}(conns[i])
	}
	for range 5 {
		healthy(t, url)
	}
	closed := 0
	for _, c := range conns {
		if closedByServer(c) {
			closed++
		}
	}
	close(stop)
	trickle.Wait()
	if closed != slow {
		t.Fatalf("%d of %d trickling connections were closed by the server", closed, slow)
	}
	healthy(t, url)
}

// TestSlowBody: a body that stops arriving is answered 408 REQUEST_TIMEOUT
// in the envelope after server.body_timeout, instead of holding the
// connection and its handler.
func TestSlowBody(t *testing.T) {
	s, _ := newLoggedServer(t, func(c *app.Config) {
		c.Server.BodyTimeout = app.Duration{Duration: 300 * time.Millisecond}
	})
	token := apptest.Token(t, s.Auth, apptest.User(t, s.Users, "alice", false), app.ScopePublish)
	url, shutdown, done := serving(t, s)
	defer func() { shutdown(); _ = waitServe(t, done) }()

	c := dial(t, url)
	fmt.Fprintf(c, "POST /api/v1/events HTTP/1.1\r\nHost: belfry\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"type\":", token)
	_ = c.SetReadDeadline(time.Now().Add(bound))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	defer resp.Body.Close()
	var env struct {
		Error struct{ Code, Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || resp.StatusCode != http.StatusRequestTimeout ||
		env.Error.Code != app.CodeRequestTimeout || env.Error.Message == "" {
		t.Fatalf("stalled body: %d %+v %v", resp.StatusCode, env, err)
	}

	// A body that arrives in time is served, and the deadline does not
	// outlive it: the connection then serves a second request.
	c = dial(t, url)
	body := `{"type":"job_failed","title":"on time"}`
	req := fmt.Sprintf("POST /api/v1/events HTTP/1.1\r\nHost: belfry\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", token, len(body), body)
	r := bufio.NewReader(c)
	for i := range 2 {
		if i == 1 {
			time.Sleep(400 * time.Millisecond) // past the body timeout of the first request
		}
		io.WriteString(c, req)
		_ = c.SetReadDeadline(time.Now().Add(bound))
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		if resp.StatusCode/100 != 2 {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("request %d on time: %d %s", i+1, resp.StatusCode, b)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// TestConnectionBounds: connections beyond server.max_connections_per_address
// from one address, or beyond server.max_connections in all, are closed at
// once and counted; a freed slot is usable again; a trusted proxy's address
// is exempt from the per-address bound.
func TestConnectionBounds(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*app.Config)
		limit  string
	}{
		{"per address", func(c *app.Config) { c.Server.MaxConnectionsPerAddress = 4 }, "max_connections_per_address"},
		{"total", func(c *app.Config) { c.Server.MaxConnections = 4 }, "max_connections"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newLoggedServer(t, c.change)
			url, shutdown, done := serving(t, s)
			defer func() { shutdown(); _ = waitServe(t, done) }()
			held := make([]net.Conn, 4)
			for i := range held {
				held[i] = dial(t, url)
			}
			// The first four are admitted (they are served); the fifth is
			// closed unread.
			for _, h := range held {
				fmt.Fprint(h, "GET /healthz HTTP/1.1\r\nHost: belfry\r\n\r\n")
				_ = h.SetReadDeadline(time.Now().Add(bound))
				resp, err := http.ReadResponse(bufio.NewReader(h), nil)
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Fatalf("an admitted connection was not served: %v", err)
				}
				resp.Body.Close()
			}
			if extra := dial(t, url); !closedByServer(extra) {
				t.Fatal("a connection beyond the bound was served")
			}
			rec := httptest.NewRecorder()
			s.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			want := `belfry_http_connections_refused_total{limit="` + c.limit + `"} 1`
			if !strings.Contains(rec.Body.String(), want) || !strings.Contains(rec.Body.String(), "belfry_http_connections 4") {
				t.Fatalf("metrics lack %q and 4 open:\n%s", want, grep(rec.Body.String(), "belfry_http_connections"))
			}
			held[0].Close()
			deadline := time.Now().Add(bound)
			for {
				client := &http.Client{Timeout: bound, Transport: &http.Transport{DisableKeepAlives: true}}
				resp, err := client.Get(url + "/healthz")
				if err == nil {
					resp.Body.Close()
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the freed slot was never reused: %v", err)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	t.Run("trusted proxy exempt", func(t *testing.T) {
		s, _ := newLoggedServer(t, func(c *app.Config) {
			c.Server.MaxConnectionsPerAddress = 2
			c.Server.TrustedProxies = []string{"127.0.0.1"}
		})
		url, shutdown, done := serving(t, s)
		defer func() { shutdown(); _ = waitServe(t, done) }()
		for range 3 {
			// Closed before the shutdown, which would wait for them.
			defer dial(t, url).Close()
		}
		healthy(t, url)
	})
}

func grep(s, sub string) string {
	var out []string
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "")
}
