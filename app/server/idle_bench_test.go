package server_test

import (
	"bufio"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server/servertest"
)

// idleConns is how many idle connections each endpoint gets in
// BenchmarkIdleStream.
const idleConns = 500

// BenchmarkIdleStream measures, in one process, what an idle stream of
// each kind costs the server — ntfy's /<topic>/json, /sse and /ws, Gotify's
// /stream — against an idle /ws/notification/: heap in use plus goroutine
// stacks after a full collection, per connection. The clients are bare
// TCP connections that send the request and then never read, so they add
// only their socket (the same for every endpoint).
//
//	go test -run '^$' -bench IdleStream -benchtime 1x ./app/server/
func BenchmarkIdleStream(b *testing.B) {
	h := servertest.New(b, servertest.WithConfig(func(c *app.Config) {
		c.WebSocket.MaxConnections, c.WebSocket.MaxPerAddress = 4*idleConns, 4*idleConns
		c.Server.MaxConnectionsPerAddress = 8 * idleConns
		c.Server.MaxConnections = 8 * idleConns
	}))
	u := h.User("alice", false)
	token := h.Token(u, app.ScopeClient)
	addr := strings.TrimPrefix(h.URL, "http://")
	for b.Loop() {
		// Each endpoint is measured twice, in turn; the second round is
		// reported, so one-time allocations of the first (pools, caches)
		// count for neither.
		kinds := []struct {
			name, path string
			upgrade    bool
		}{
			{"ws-notification", "/ws/notification/", true}, {"gotify-stream", "/stream?token=" + token, true},
			{"ntfy-ws", "/backups/ws", true}, {"ntfy-json", "/backups/json", false}, {"ntfy-sse", "/backups/sse", false},
		}
		for i, ep := range append(kinds, kinds...) {
			before := settledHeap()
			conns := make([]net.Conn, 0, idleConns)
			for range idleConns {
				conns = append(conns, handshake(b, addr, ep.path, token, ep.upgrade))
			}
			time.Sleep(200 * time.Millisecond) // let every connection's goroutines settle
			after := settledHeap()
			if i >= len(kinds) {
				b.ReportMetric(float64(after-before)/idleConns, ep.name+"-B/conn")
			}
			for _, c := range conns {
				_ = c.Close()
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// handshake opens a WebSocket (upgrade) or a held-open GET to path with
// token as a bearer token and returns the connection once the server
// answered 101 (200).
func handshake(b *testing.B, addr, path, token string, upgrade bool) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	req, want := "GET "+path+" HTTP/1.1\r\nHost: "+addr+"\r\nAuthorization: Bearer "+token+"\r\n", http.StatusOK
	if upgrade {
		req += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
		want = http.StatusSwitchingProtocols
	}
	if _, err := c.Write([]byte(req + "\r\n")); err != nil {
		b.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(c, 512), nil)
	if err != nil || resp.StatusCode != want {
		b.Fatalf("handshake %s: %v %v", path, resp, err)
	}
	return c
}

// settledHeap is Go's heap in use plus goroutine stacks after a full
// collection, in bytes.
func settledHeap() int64 {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse + ms.StackInuse)
}
