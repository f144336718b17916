// Package bustest starts a real NATS server inside a test, for the change
// bus between replicas.
package bustest

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// NATS is an embedded NATS server on a loopback port.
type NATS struct {
	t    testing.TB
	port int
	srv  *server.Server
	URL  string
}

// Start runs a NATS server on a free loopback port until the test ends.
func Start(t testing.TB) *NATS {
	t.Helper()
	n := &NATS{t: t, port: -1}
	n.Restart()
	n.port = n.srv.Addr().(*net.TCPAddr).Port
	n.URL = fmt.Sprintf("nats://127.0.0.1:%d", n.port)
	t.Cleanup(n.Stop)
	return n
}

// Stop shuts the server down; the clients lose their connection.
func (n *NATS) Stop() {
	if n.srv != nil {
		n.srv.Shutdown()
		n.srv.WaitForShutdown()
		n.srv = nil
	}
}

// Restart starts the server again on the same port.
func (n *NATS) Restart() {
	n.t.Helper()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: n.port, NoLog: true, NoSigs: true})
	if err != nil {
		n.t.Fatalf("nats server: %v", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		n.t.Fatal("nats server: not ready for connections within 10s")
	}
	n.srv = srv
}
