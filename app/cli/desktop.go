package cli

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
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

// isLocalRequest reports whether r comes straight from this machine: its
// TCP peer is a loopback address and it carries no proxy header.
func isLocalRequest(r *http.Request) bool {
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

// desktop holds the session of the desktop user.
type desktop struct {
	s      *Server
	mu     sync.Mutex
	cookie string // "" until the first local request
}

// desktopSignIn returns the desktop-mode middleware. A request that brings
// an Authorization header keeps it (tokens mean what they say); any other
// local request to a loopback host gets the desktop user's session cookie
// in place of its own. Everything else is left to the normal sign-in.
func (s *Server) desktopSignIn() gin.HandlerFunc {
	d := &desktop{s: s}
	return func(c *gin.Context) {
		r := c.Request
		if r.Header.Get("Authorization") != "" || !isLocalRequest(r) || !loopbackHost(r.Host) {
			c.Next()
			return
		}
		cookie, err := d.session(r.Context())
		if err != nil {
			s.Logger.Warn("desktop mode: cannot sign the local user in", "user", s.Config.Auth.DesktopUser, "err", err)
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
		u, err := d.s.Auth.SessionUser(ctx, d.cookie)
		if err == nil && strings.EqualFold(u.Username, d.s.Config.Auth.DesktopUser) {
			return d.cookie, nil
		}
		if err != nil && app.ErrorKind(err) != app.EUNAUTHENTICATED {
			return "", err
		}
	}
	u, err := d.s.Users.FindUserByName(ctx, d.s.Config.Auth.DesktopUser)
	if err != nil {
		return "", err
	}
	cookie, err := d.s.Auth.StartSession(ctx, u)
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
		if c.Name != api.SessionCookie {
			r.AddCookie(c)
		}
	}
	r.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: cookie})
}

// checkDesktopUser fails the start when auth.desktop_user names no user.
func (s *Server) checkDesktopUser(ctx context.Context) error {
	name := s.Config.Auth.DesktopUser
	if name == "" {
		return nil
	}
	if _, err := s.Users.FindUserByName(ctx, name); err != nil {
		if app.ErrorKind(err) == app.ENOTFOUND {
			return app.Errorf(app.EINVALID, "auth.desktop_user: there is no user %q (create it with: belfry user add %s --admin).", name, name)
		}
		return err
	}
	return nil
}
