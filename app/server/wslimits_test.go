package server_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/server/servertest"
	gws "github.com/gorilla/websocket"
)

// Both endpoints share the connection limits.
const (
	notificationPath = "/ws/notification/"
	channelsPath     = "/ws/channels/"
)

// socketClient opens WebSockets to one running Belfry with a client token.
type socketClient struct {
	t     *testing.T
	app   *servertest.App
	token string
}

func newSocketClient(t *testing.T, a *servertest.App) *socketClient {
	return &socketClient{t: t, app: a, token: a.TokenFor("alice", false, app.ScopeClient)}
}

// dial tries a handshake to path from the loopback address from
// (127.0.0.x), with the extra header; it returns the open connection
// (closed when the test ends) or the refusal.
func (sc *socketClient) dial(path, from string, header http.Header) (*gws.Conn, *http.Response) {
	sc.t.Helper()
	h := http.Header{"Authorization": {"Bearer " + sc.token}}
	for k, v := range header {
		h[k] = v
	}
	d := gws.Dialer{
		HandshakeTimeout: apptest.Guard,
		NetDialContext:   (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}).DialContext,
	}
	conn, resp, err := d.Dial("ws"+strings.TrimPrefix(sc.app.URL, "http")+path, h)
	if err != nil {
		if resp == nil {
			sc.t.Fatalf("dial %s from %s: %v", path, from, err)
		}
		return nil, resp
	}
	sc.t.Cleanup(func() { _ = conn.Close() })
	return conn, resp
}

// open dials and fails the test unless the handshake succeeds.
func (sc *socketClient) open(path, from string, header http.Header) *gws.Conn {
	sc.t.Helper()
	conn, resp := sc.dial(path, from, header)
	if conn == nil {
		body, _ := io.ReadAll(resp.Body)
		sc.t.Fatalf("dial %s from %s: %d %s", path, from, resp.StatusCode, body)
	}
	return conn
}

// refused dials and fails the test unless the handshake is refused with
// 429, Retry-After and the envelope; it returns the message.
func (sc *socketClient) refused(path, from string, header http.Header) string {
	sc.t.Helper()
	conn, resp := sc.dial(path, from, header)
	if conn != nil {
		sc.t.Fatalf("dial %s from %s: upgraded, want 429", path, from)
	}
	var env struct {
		Error struct{ Code, Message string }
	}
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &env); err != nil || resp.StatusCode != http.StatusTooManyRequests ||
		env.Error.Code != app.CodeRateLimit || resp.Header.Get("Retry-After") != "10" {
		sc.t.Fatalf("dial %s from %s: %d Retry-After %q %s, want 429 RATE_LIMIT_EXCEEDED with Retry-After 10",
			path, from, resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	return env.Error.Message
}

// sockets is how many sockets both endpoints hold.
func sockets(a *servertest.App) int {
	return a.Hub.Stats().Sockets + a.Channels.Stats().Sockets
}

// closeAndWait waits until the server holds the open sockets (a client
// may see its handshake answered just before the server indexes it), then
// closes conn and waits until the server has let it go.
func closeAndWait(t *testing.T, a *servertest.App, conn *gws.Conn, open int) {
	t.Helper()
	apptest.WaitFor(t, "the server to hold every socket", func() bool { return sockets(a) == open })
	_ = conn.Close()
	apptest.WaitFor(t, "the server to let the socket go", func() bool { return sockets(a) == open-1 })
}

func wantRefusals(t *testing.T, a *servertest.App, perAddress, total float64) {
	t.Helper()
	apptest.WantSamples(t, a.Metrics.Handler(), map[string]float64{
		`belfry_ws_handshakes_refused_total{reason="per_address"}`: perAddress,
		`belfry_ws_handshakes_refused_total{reason="total"}`:       total,
	})
}

// TestWebSocketPerAddressLimit floods the two endpoints from one address:
// past websocket.max_per_address the handshake is refused before the
// upgrade, another address is not affected, and closing a socket frees a
// slot.
func TestWebSocketPerAddressLimit(t *testing.T) {
	a := servertest.New(t, servertest.WithConfig(func(c *app.Config) { c.WebSocket.MaxPerAddress = 2 }))
	sc := newSocketClient(t, a)
	first := sc.open(notificationPath, "127.0.0.1", nil)
	sc.open(channelsPath, "127.0.0.1", nil)
	if msg := sc.refused(notificationPath, "127.0.0.1", nil); !strings.Contains(msg, "from your address (at most 2)") {
		t.Fatalf("message %q", msg)
	}
	sc.refused(channelsPath, "127.0.0.1", nil)
	sc.open(notificationPath, "127.0.0.2", nil)
	wantRefusals(t, a, 2, 0)

	closeAndWait(t, a, first, 3)
	sc.open(channelsPath, "127.0.0.1", nil)
	sc.refused(notificationPath, "127.0.0.1", nil)
	wantRefusals(t, a, 3, 0)
}

// TestWebSocketTotalLimit fills websocket.max_connections from several
// addresses, both endpoints together.
func TestWebSocketTotalLimit(t *testing.T) {
	a := servertest.New(t, servertest.WithConfig(func(c *app.Config) { c.WebSocket.MaxConnections = 3 }))
	sc := newSocketClient(t, a)
	sc.open(notificationPath, "127.0.0.1", nil)
	second := sc.open(channelsPath, "127.0.0.2", nil)
	sc.open(notificationPath, "127.0.0.3", nil)
	if msg := sc.refused(channelsPath, "127.0.0.4", nil); !strings.Contains(msg, "as many WebSocket connections as it allows (3)") {
		t.Fatalf("message %q", msg)
	}
	sc.refused(notificationPath, "127.0.0.1", nil)
	wantRefusals(t, a, 0, 2)

	closeAndWait(t, a, second, 3)
	sc.open(notificationPath, "127.0.0.4", nil)
	sc.refused(channelsPath, "127.0.0.5", nil)
	wantRefusals(t, a, 0, 3)
}

// TestWebSocketLimitAddressBehindProxy checks which address the limit
// counts: X-Forwarded-For only when the peer is a trusted proxy, so a
// client cannot escape the limit by making addresses up.
func TestWebSocketLimitAddressBehindProxy(t *testing.T) {
	forwarded := func(ip string) http.Header { return http.Header{"X-Forwarded-For": {ip}} }
	t.Run("TrustedProxy", func(t *testing.T) {
		a := servertest.New(t, servertest.WithConfig(func(c *app.Config) {
			c.WebSocket.MaxPerAddress = 1
			c.Server.TrustedProxies = []string{"127.0.0.1"}
		}))
		sc := newSocketClient(t, a)
		sc.open(notificationPath, "127.0.0.1", forwarded("203.0.113.5"))
		sc.refused(channelsPath, "127.0.0.1", forwarded("203.0.113.5"))
		sc.open(channelsPath, "127.0.0.1", forwarded("203.0.113.6"))
		wantRefusals(t, a, 1, 0)
	})
	t.Run("Spoofed", func(t *testing.T) {
		a := servertest.New(t, servertest.WithConfig(func(c *app.Config) { c.WebSocket.MaxPerAddress = 1 }))
		sc := newSocketClient(t, a)
		sc.open(notificationPath, "127.0.0.1", forwarded("203.0.113.5"))
		sc.refused(channelsPath, "127.0.0.1", forwarded("203.0.113.6"))
		wantRefusals(t, a, 1, 0)
	})
}
