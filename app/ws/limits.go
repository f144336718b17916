package ws

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/metrics"
)

// RetryAfter is what a handshake refused for a connection limit is told to
// wait (the Retry-After header): connections end at no predictable time, so
// it is a fixed pause that keeps a reconnecting client from spinning.
const RetryAfter = 10 * time.Second

// Why a handshake was refused for a connection limit, the reason label of
// belfry_ws_handshakes_refused_total.
const (
	RefusedPerAddress = "per_address" // websocket.max_per_address
	RefusedTotal      = "total"       // websocket.max_connections
)

// Limits bound the live WebSocket connections of one server, across all of
// its endpoints: at most websocket.max_connections in all and at most
// websocket.max_per_address from one client address (gin's ClientIP, which
// believes X-Forwarded-For only from server.trusted_proxies). One Limits is
// shared by every Registry of the server; a handshake over a limit is
// refused before the upgrade (see Registry.Serve). It is safe for
// concurrent use.
type Limits struct {
	maxTotal, maxPerAddress int

	mu     sync.Mutex
	open   int
	byAddr map[string]int

	refusedPerAddress, refusedTotal atomic.Uint64
}

// NewLimits returns the limits of c. It panics when one is not positive:
// Config.Validate refuses such a config, so that is a wiring bug.
func NewLimits(c app.WebSocketConfig) *Limits {
	if c.MaxConnections <= 0 || c.MaxPerAddress <= 0 {
		panic("ws: websocket.max_connections and max_per_address must be positive")
	}
	return &Limits{maxTotal: c.MaxConnections, maxPerAddress: c.MaxPerAddress, byAddr: map[string]int{}}
}

// admit takes a slot for a connection from addr. It returns "" when the
// connection may proceed (release gives the slot back), otherwise the
// limit that refused it, counted.
func (l *Limits) admit(addr string) (refused string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.byAddr[addr] >= l.maxPerAddress:
		l.refusedPerAddress.Add(1)
		return RefusedPerAddress
	case l.open >= l.maxTotal:
		l.refusedTotal.Add(1)
		return RefusedTotal
	}
	l.open++
	l.byAddr[addr]++
	return ""
}

// release gives back a slot admit took for addr.
func (l *Limits) release(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if n := l.byAddr[addr] - 1; n > 0 {
		l.byAddr[addr] = n
	} else {
		delete(l.byAddr, addr)
	}
}

// refusal is the error a handshake refused by the limit named gets.
func (l *Limits) refusal(refused string) error {
	wait := int(RetryAfter / time.Second)
	if refused == RefusedPerAddress {
		return app.Errorf(app.ERATELIMIT, "Too many WebSocket connections from your address (at most %d): close one, or retry in %d s.", l.maxPerAddress, wait)
	}
	return app.Errorf(app.ERATELIMIT, "The server holds as many WebSocket connections as it allows (%d): retry in %d s.", l.maxTotal, wait)
}

// Observe registers the refusals on m.
func (l *Limits) Observe(m *metrics.Registry) {
	const name, help = "belfry_ws_handshakes_refused_total", "WebSocket handshakes refused by a connection limit (websocket.max_per_address, websocket.max_connections)."
	m.CounterFunc(name, help, func() float64 { return float64(l.refusedPerAddress.Load()) }, "reason", RefusedPerAddress)
	m.CounterFunc(name, help, func() float64 { return float64(l.refusedTotal.Load()) }, "reason", RefusedTotal)
}

// Observe registers r's connections, frames sent and slow disconnects on
// m, beside the other endpoints' (label endpoint).
func (r *Registry) Observe(m *metrics.Registry, endpoint string) {
	m.GaugeFunc("belfry_ws_sockets", "Live WebSocket connections.",
		func() float64 { return float64(r.Stats().Conns) }, "endpoint", endpoint)
	m.CounterFunc("belfry_ws_frames_sent_total", "Frames written to WebSocket connections (notifications delivered live).",
		func() float64 { return float64(r.Stats().Sent) }, "endpoint", endpoint)
	m.CounterFunc("belfry_ws_slow_disconnects_total", "WebSocket connections closed because they did not read fast enough.",
		func() float64 { return float64(r.Stats().DroppedSlow) }, "endpoint", endpoint)
}
