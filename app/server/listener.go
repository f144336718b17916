package server

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/metrics"
)

// connLimiter bounds the open connections of the main listener: in all
// (server.max_connections) and per client address
// (server.max_connections_per_address; the trusted proxies' addresses are
// exempt, as every client behind them shares them). A connection beyond a
// bound is closed as soon as it is accepted, before a byte is read, so a
// flood of slow connections from one address cannot take the memory and
// file descriptors that other clients need. WebSockets count, as they are
// connections of the listener.
type connLimiter struct {
	max, perAddr int
	exempt       []netip.Prefix

	mu     sync.Mutex
	open   int
	byAddr map[netip.Addr]int

	refusedTotal, refusedAddr atomic.Uint64
}

func newConnLimiter(cfg app.ServerConfig) *connLimiter {
	l := &connLimiter{max: cfg.MaxConnections, perAddr: cfg.MaxConnectionsPerAddress, byAddr: map[netip.Addr]int{}}
	for _, p := range cfg.TrustedProxies {
		if pre, err := netip.ParsePrefix(p); err == nil {
			l.exempt = append(l.exempt, pre.Masked())
		} else if a, err := netip.ParseAddr(p); err == nil {
			l.exempt = append(l.exempt, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return l
}

// Observe reports the open and refused connections.
func (l *connLimiter) Observe(m *metrics.Registry) {
	m.GaugeFunc("belfry_http_connections", "Open connections of the main listener, WebSockets included.",
		func() float64 { l.mu.Lock(); defer l.mu.Unlock(); return float64(l.open) })
	m.CounterFunc("belfry_http_connections_refused_total", "Connections closed at once because a bound was reached.",
		func() float64 { return float64(l.refusedTotal.Load()) }, "limit", "max_connections")
	m.CounterFunc("belfry_http_connections_refused_total", "Connections closed at once because a bound was reached.",
		func() float64 { return float64(l.refusedAddr.Load()) }, "limit", "max_connections_per_address")
}

// wrap returns ln with the bounds applied.
func (l *connLimiter) wrap(ln net.Listener) net.Listener { return &limitedListener{Listener: ln, l: l} }

// admit counts a new connection from a, or reports false (and counts the
// refusal) when a bound is reached.
func (l *connLimiter) admit(a netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.open >= l.max:
		l.refusedTotal.Add(1)
		return false
	case !l.exempted(a) && l.byAddr[a] >= l.perAddr:
		l.refusedAddr.Add(1)
		return false
	}
	l.open++
	l.byAddr[a]++
	return true
}

// release forgets a closed connection from a.
func (l *connLimiter) release(a netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.byAddr[a]--; l.byAddr[a] <= 0 {
		delete(l.byAddr, a)
	}
}

func (l *connLimiter) exempted(a netip.Addr) bool {
	for _, p := range l.exempt {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

type limitedListener struct {
	net.Listener
	l *connLimiter
}

// Accept returns the next connection within the bounds, closing those
// beyond them.
func (ln *limitedListener) Accept() (net.Conn, error) {
	for {
		c, err := ln.Listener.Accept()
		if err != nil {
			return nil, err
		}
		a := remoteAddr(c)
		if !ln.l.admit(a) {
			_ = c.Close()
			continue
		}
		return &limitedConn{Conn: c, release: sync.OnceFunc(func() { ln.l.release(a) })}, nil
	}
}

// remoteAddr is c's peer address; connections whose peer is not an IP
// address (a Unix socket) share the zero address.
func remoteAddr(c net.Conn) netip.Addr {
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

type limitedConn struct {
	net.Conn
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}
