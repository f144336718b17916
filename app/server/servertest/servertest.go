// Package servertest runs the whole application, wired by server.New, on a
// loopback listener for tests: a real SQLite file, the real routes, the
// real background work. Test harnesses of every package build on it
// instead of wiring services by hand, so what they test is what serve runs.
package servertest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/server"
	"github.com/belfry/belfry/app/web"
)

// App is a running Belfry: the Server with its stores and services, and
// the URL it answers on (server.base_url, unless WithConfig changed it).
type App struct {
	*server.Server
	t   testing.TB
	URL string
}

// Option adjusts New.
type Option func(*options)

type options struct {
	config  func(*app.Config)
	logger  *slog.Logger
	wrap    func(http.Handler) http.Handler
	version string
	clock   clock.Clock
}

// WithConfig lets fn change the configuration before the start; the
// listener and base URL are set already (fn may change them).
func WithConfig(fn func(*app.Config)) Option { return func(o *options) { o.config = fn } }

// WithHandler wraps the server's handler, for tests that inject faults in
// front of it.
func WithHandler(wrap func(http.Handler) http.Handler) Option {
	return func(o *options) { o.wrap = wrap }
}

// WithLogger makes the server log to l instead of nowhere.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithClock makes every service of the server read the time from c (a
// clocktest.Fake), so that a test moves time instead of sleeping.
func WithClock(c clock.Clock) Option { return func(o *options) { o.clock = c } }

// WithVersion sets the version /readyz reports.
func WithVersion(v string) Option { return func(o *options) { o.version = v } }

// New starts the application with apptest.Config on a loopback port and
// stops it when the test ends.
func New(t testing.TB, opts ...Option) *App {
	t.Helper()
	var o options
	for _, fn := range opts {
		fn(&o)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := apptest.Config(t)
	cfg.Server.Listen = ln.Addr().String()
	cfg.Server.BaseURL = "http://" + ln.Addr().String()
	cfg.Auth.AdminPassword = apptest.Password
	own := cfg.Database.URL
	if o.config != nil {
		o.config(&cfg)
	}
	// A PostgreSQL run: the database of the file the test chose, unless
	// the test named a database itself.
	if cfg.Database.Driver == "postgres" && cfg.Database.URL == own {
		cfg.Database.URL = apptest.PostgresFor(t, cfg.Database.Path)
	}
	if cfg.Database.Driver == "sqlite" {
		apptest.SeedDB(t, cfg.Database.Path)
	}
	sopts := []server.Option{}
	if o.version != "" {
		sopts = append(sopts, server.WithVersion(o.version))
	}
	if o.clock != nil {
		sopts = append(sopts, func(s *server.Server) { s.Clock = o.clock })
	}
	logger := o.logger
	if logger == nil {
		logger = apptest.Logger()
	}
	s, err := server.New(context.Background(), cfg, logger, sopts...)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	h := s.Handler
	if o.wrap != nil {
		h = o.wrap(h)
	}
	hs := httptest.NewUnstartedServer(h)
	_ = hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(func() {
		_ = s.Close(context.Background())
		hs.Close()
	})
	return &App{Server: s, t: t, URL: "http://" + ln.Addr().String()}
}

// User creates a user called name with apptest.Password.
func (a *App) User(name string, admin bool) *app.User {
	a.t.Helper()
	return apptest.User(a.t, a.Users, name, admin)
}

// Token mints an API token of u with scope and returns its secret.
func (a *App) Token(u *app.User, scope app.Scope) string {
	a.t.Helper()
	return apptest.Token(a.t, a.Auth, u, scope)
}

// Session opens a browser session of u and returns its cookie value.
func (a *App) Session(u *app.User) string {
	a.t.Helper()
	return apptest.Login(a.t, a.Auth, u)
}

// Request is one HTTP request of a test: add credentials and headers with
// Bearer, Cookie and Header.
type Request struct {
	Method, Path, Body string
	Headers            http.Header
}

// Bearer authenticates with an API token.
func Bearer(token string) func(*Request) {
	return Header("Authorization", "Bearer "+token)
}

// Cookie authenticates with a browser session.
func Cookie(session string) func(*Request) {
	return Header("Cookie", web.SessionCookie+"="+session)
}

// Header sets a request header.
func Header(name, value string) func(*Request) {
	return func(r *Request) { r.Headers.Set(name, value) }
}

// Do serves one request in process (through the real handler, without a
// socket) and returns the recorded answer. A body is sent as JSON unless
// a Content-Type is given.
func (a *App) Do(method, path, body string, opts ...func(*Request)) *httptest.ResponseRecorder {
	a.t.Helper()
	r := &Request{Method: method, Path: path, Body: body, Headers: http.Header{}}
	for _, o := range opts {
		o(r)
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
		if r.Headers.Get("Content-Type") == "" {
			r.Headers.Set("Content-Type", "application/json")
		}
	}
	req := httptest.NewRequest(method, path, rd)
	for k, v := range r.Headers {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, req)
	return rec
}

// TokenFor mints a token of scope for the user called username, creating
// the user first when there is none.
func (a *App) TokenFor(username string, admin bool, scope app.Scope) string {
	a.t.Helper()
	u, err := a.Users.FindUserByName(context.Background(), username)
	if app.ErrorKind(err) == app.ENOTFOUND {
		u, err = a.User(username, admin), nil
	}
	if err != nil {
		a.t.Fatal(err)
	}
	return a.Token(u, scope)
}
