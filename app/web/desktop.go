package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// Single-user desktop mode (auth.desktop_user): a request from this machine
// is signed in as the configured user without a password. The middleware
// only hands the request a session cookie of that user; authentication,
// CrossOriginGuard and the WebSocket Origin check then run as for any
// browser, so a web page on another site can still not act through the
// user's browser. Config.Validate allows the mode only on a loopback
// listener without trusted proxies.

// forwardingHeaders are set by reverse proxies: a request carrying one came
// through a proxy, whatever its TCP peer.
var forwardingHeaders = []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-Ip"}

// IsLocalRequest reports whether r comes straight from this machine: its
// TCP peer is a loopback address and it carries no proxy header.
func IsLocalRequest(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return false
	}
	for _, h := range forwardingHeaders {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	return true
}

// loopbackHost reports whether the Host header names this machine. A page
// whose DNS name was rebound to 127.0.0.1 sends its own name, and is not
// signed in.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	return app.IsLoopbackHost(strings.Trim(host, "[]"))
}

// Sessions opens browser sessions and resolves them (auth.Service).
type Sessions interface {
	SessionUser(ctx context.Context, cookie string) (*app.User, error)
	StartSession(ctx context.Context, u *app.User) (cookie string, err error)
}

// desktop holds the session of the desktop user.
type desktop struct {
	sessions Sessions
	users    app.UserStore
	username string
	mu       sync.Mutex
	cookie   string // "" until the first local request
}

// DesktopSignIn returns the desktop-mode middleware for the user called
// username. A request that brings an Authorization header keeps it (tokens
// mean what they say); any other local request to a loopback host gets the
// desktop user's session cookie in place of its own. Everything else is
// left to the normal sign-in.
func DesktopSignIn(sessions Sessions, users app.UserStore, username string, logger *slog.Logger) gin.HandlerFunc {
	d := &desktop{sessions: sessions, users: users, username: username}
	return func(c *gin.Context) {
		r := c.Request
		if r.Header.Get("Authorization") != "" || !IsLocalRequest(r) || !loopbackHost(r.Host) {
			c.Next()
			return
		}
		cookie, err := d.session(r.Context())
		if err != nil {
			logger.Warn("desktop mode: cannot sign the local user in", "user", username, "err", err)
			c.Next()
			return
		}
		setSessionCookie(r, cookie)
		c.Next()
	}
}

// session returns a live session cookie of the desktop user, opening a new
// session when there is none yet or the last one ended (signed out,
// expired, pruned).
func (d *desktop) session(ctx context.Context) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cookie != "" {
		u, err := d.sessions.SessionUser(ctx, d.cookie)
		if err == nil && strings.EqualFold(u.Username, d.username) {
			return d.cookie, nil
		}
		if err != nil && app.ErrorKind(err) != app.EUNAUTHENTICATED {
			return "", err
		}
	}
	u, err := d.users.FindUserByName(ctx, d.username)
	if err != nil {
		return "", err
	}
	cookie, err := d.sessions.StartSession(ctx, u)
	if err != nil {
		return "", err
	}
	d.cookie = cookie
	return cookie, nil
}

// setSessionCookie replaces the session cookie of r with cookie and keeps
// its other cookies.
func setSessionCookie(r *http.Request, cookie string) {
	others := r.Cookies()
	r.Header.Del("Cookie")
	for _, c := range others {
		if c.Name != SessionCookie {
			r.AddCookie(c)
		}
	}
	r.AddCookie(&http.Cookie{Name: SessionCookie, Value: cookie})
}

// ServeLocal answers a request from this machine (IsLocalRequest) with h;
// any other request goes on to the handlers after it.
func ServeLocal(h http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		if IsLocalRequest(c.Request) {
			h.ServeHTTP(c.Writer, c.Request)
			c.Abort()
			return
		}
		c.Next()
	}
}
