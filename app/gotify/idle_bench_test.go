package gotify_test

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

// BenchmarkIdleStream measures, in one process, what an idle Gotify
// /stream costs the server against an idle /ws/notification/: heap in
// use plus goroutine stacks after a full collection, per connection. The
// clients are bare TCP connections that send the handshake and then never
// read, so they add only their socket (the same for both endpoints).
//
//	go test -run '^$' -bench IdleStream -benchtime 1x ./app/gotify/
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
		for i, ep := range []struct{ name, path string }{
			{"ws-notification", "/ws/notification/"}, {"gotify-stream", "/stream?token=" + token},
			{"ws-notification", "/ws/notification/"}, {"gotify-stream", "/stream?token=" + token},
		} {
			before := settledHeap()
			conns := make([]net.Conn, 0, idleConns)
			for range idleConns {
				conns = append(conns, handshake(b, addr, ep.path, token))
			}
			time.Sleep(200 * time.Millisecond) // let every connection's goroutines settle
			after := settledHeap()
			if i >= 2 {
				b.ReportMetric(float64(after-before)/idleConns, ep.name+"-B/conn")
			}
			for _, c := range conns {
				_ = c.Close()
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// handshake opens a WebSocket to path with token as a bearer token and
// returns the connection once the server answered 101.
func handshake(b *testing.B, addr, path, token string) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer " + token + "\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		b.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(c, 512), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
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
