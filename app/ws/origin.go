package ws

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
)

// Cross-site WebSocket hijacking is the classic hole of cookie-authenticated
// sockets: browsers attach cookies to a cross-site handshake and do not apply
// CORS to it. So a handshake must come from the configured public origin;
// only a client authenticated with a bearer token (which no browser attaches
// on its own) may omit Origin.

// originOf returns the normalised origin "scheme://host:port" of a URL, with
// the default port made explicit, or "" when raw is not an absolute http(s)
// or ws(s) URL.
func originOf(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	defaultPort := map[string]string{"http": "80", "ws": "80", "https": "443", "wss": "443"}[scheme]
	if defaultPort == "" {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = defaultPort
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// connKey carries, in a handshake's context, the *Conn being set up: the
// origin check reads how the peer authenticated, the connect hook which Conn
// the new session is.
type connKey struct{}

func withConn(ctx context.Context, c *Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

func connFrom(ctx context.Context) *Conn {
	c, _ := ctx.Value(connKey{}).(*Conn)
	return c
}

// checkOrigin is the upgrader's origin rule. allowed is the normalised
// origin of the base URL; when it is empty (no usable base URL) the Origin
// must name the host the request was sent to.
func checkOrigin(allowed string, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		c := connFrom(r.Context())
		return c != nil && c.presented
	}
	got := originOf(origin)
	if got == "" {
		return false
	}
	if allowed != "" {
		return got == allowed
	}
	u, _ := url.Parse(origin)
	return strings.EqualFold(u.Host, r.Host)
}

// handshakeError writes a refused handshake in the JSON error envelope; it is
// the upgrader's Error function.
func handshakeError(w http.ResponseWriter, _ *http.Request, status int, _ error) {
	var err error
	switch status {
	case http.StatusForbidden:
		err = app.Errorf(app.EFORBIDDEN, "Cross-origin WebSocket handshakes are refused: the Origin must be the server's public URL.")
	case http.StatusBadRequest, http.StatusMethodNotAllowed:
		err = app.Errorf(app.EINVALID, "This endpoint expects a WebSocket handshake (GET with Upgrade: websocket, version 13).")
	case http.StatusServiceUnavailable:
		err = app.Errorf(app.EINTERNAL, "The server is shutting down; reconnect shortly.")
	default:
		err = app.Errorf(app.EINTERNAL, "Internal error.")
	}
	writeEnvelope(w, status, err)
}

// writeEnvelope writes err in web.Envelope with status, for the upgrader,
// which has no gin context.
func writeEnvelope(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(web.Envelope{Error: web.EnvelopeError{Code: app.ErrorCode(err), Message: app.ErrorMessage(err)}})
}
