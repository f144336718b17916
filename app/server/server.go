// Package server is Belfry's composition root: New opens the database and
// wires every store, service and route in one function (wire.go), Serve
// answers HTTP until told to stop, and Close shuts everything down in
// order. The command line's serve uses it; so do the test harness
// (servertest) and the benchmarks, so that what they exercise is the real
// wiring.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/channels"
	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/email"
	"github.com/belfry/belfry/app/escalation"
	"github.com/belfry/belfry/app/heartbeat"
	"github.com/belfry/belfry/app/hooks"
	"github.com/belfry/belfry/app/hub"
	"github.com/belfry/belfry/app/ingest"
	"github.com/belfry/belfry/app/metrics"
	"github.com/belfry/belfry/app/push"
	"github.com/belfry/belfry/app/quiet"
	"github.com/belfry/belfry/app/schedule"
	"github.com/belfry/belfry/app/web"
	"github.com/belfry/belfry/app/webhook"
	"github.com/belfry/belfry/db"
	"github.com/gin-gonic/gin"
)

// Server is the whole application, wired: the open database, the stores
// and services, and the HTTP handler serving every route. Tests and
// benchmarks build one with New and serve Handler with httptest.
type Server struct {
	Config app.Config
	Logger *slog.Logger

	DB            *db.DB
	Types         *app.Types
	Users         *db.UserStore
	Tokens        *db.TokenStore
	Notifications *db.NotificationStore
	Preferences   *db.PreferenceStore
	Mutes         *db.MuteStore
	Auth          *auth.Service
	// Bus carries every durable change of notification state to the
	// real-time layers.
	Bus *bus.Bus
	// Net carries the bus's topics between replicas (cluster.nats_url);
	// nil for the in-process bus.
	Net *bus.Network
	// Leadership says whether this replica runs the cluster's timers,
	// digests, reports and retention (db.Lead); always on SQLite.
	Leadership db.Leadership
	// Dispatcher is notify(), the one entry of new notifications; Inbox
	// makes every other change of notification state.
	Dispatcher app.Dispatcher
	Inbox      app.Inbox
	// Ingest publishes what the ntfy, Gotify and alert-webhook dialects
	// receive, through the Dispatcher.
	Ingest *ingest.Publisher
	// TopicRoutes holds the topic routes admins manage, which Ingest
	// follows.
	TopicRoutes *db.RouteStore
	// Hooks receives Alertmanager, Grafana, GitHub and custom webhooks.
	Hooks    *hooks.Service
	Webhooks *webhook.Webhooks
	// Email sends e-mail notifications (nothing while email.host is empty).
	Email *email.Service
	// Quiet holds notifications back in the users' quiet hours and sends
	// the digests.
	Quiet *quiet.Service
	// Escalation climbs the ladders of notifications left unread.
	Escalation *escalation.Service
	// Push sends Web Push to the users' devices.
	Push *push.Service
	// Heartbeats runs the dead man's switches and their ping URLs.
	Heartbeats *heartbeat.Service
	// Schedule keeps events published for later until they are due.
	Schedule *schedule.Service
	Hub      *hub.Hub
	Channels *channels.Service
	Metrics  *metrics.Registry

	// Handler routes every request.
	Handler http.Handler
	engine  *gin.Engine
	doc     func() web.Doc // the OpenAPI document, built on first use

	// AdminPassword is the generated password of the first admin when this
	// start created it ("" otherwise). Show it once, never log it.
	AdminPassword string

	// Clock is the time of every service: clock.Real unless an Option set
	// another (the test kit's clocktest.Fake).
	Clock clock.Clock

	version  string
	conns    *connLimiter // bounds the connections Serve accepts
	draining atomic.Bool
	bgCtx    context.Context    // lives until Close
	stop     context.CancelFunc // ends bgCtx
	bg       sync.WaitGroup
	drainers []func()
	drained  sync.Once
	close    sync.Once
	closeErr error
}

// Option adjusts New.
type Option func(*Server)

// WithVersion sets the version that /readyz and /metrics report.
func WithVersion(v string) Option { return func(s *Server) { s.version = v } }

// New validates cfg, opens and migrates the database, creates the first
// admin if there is no user yet, wires every service and route and starts
// the background work. ctx bounds only the start-up work. The caller owns
// the Server and must Close it (Serve does so itself). Errors: EINVALID for
// a bad config.
func New(ctx context.Context, cfg app.Config, logger *slog.Logger, opts ...Option) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	types, err := app.NewTypes(cfg.Notifications.Types)
	if err != nil {
		return nil, err
	}
	s := &Server{Config: cfg, Logger: logger, Types: types, version: "dev", Clock: clock.Real{}}
	for _, o := range opts {
		o(s)
	}
	s.Metrics = metrics.New(s.version)
	if s.DB, err = db.Open(db.Options{DatabaseConfig: cfg.Database, OnCommit: s.Metrics.ObserveCommit}); err != nil {
		return nil, err
	}
	s.DB.Now = s.Clock.Now
	s.bgCtx, s.stop = context.WithCancel(context.WithoutCancel(ctx))
	if err := s.wire(ctx); err != nil {
		return nil, errors.Join(err, s.Close(ctx))
	}
	return s, nil
}

// ready is /readyz: the database answers, the change bus is connected (in
// a cluster) and no shutdown has begun.
func (s *Server) ready(ctx context.Context) error {
	if s.draining.Load() {
		return errors.New("shutting down")
	}
	if err := s.Net.Ready(); err != nil {
		return err
	}
	return s.DB.Ping(ctx)
}

// goBackground runs fn in a goroutine with a context that ends when Close
// begins; Close waits for fn to return.
func (s *Server) goBackground(fn func(ctx context.Context)) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		fn(s.bgCtx)
	}()
}

// drain marks the server as shutting down and runs the drainers — close
// frames to every socket, long polls answered — once, whether Serve or
// Close gets there first.
func (s *Server) drain() {
	s.drained.Do(func() {
		s.draining.Store(true)
		for _, fn := range s.drainers {
			fn()
		}
	})
}

// Close stops the background work, writes the tokens' last-used times and
// closes the database after its writer drained. It is safe to call more
// than once; later calls return the first result.
func (s *Server) Close(ctx context.Context) error {
	s.close.Do(func() {
		s.drain()
		s.stop()
		s.bg.Wait()
		errs := []error{s.Net.Close()}
		if s.Auth != nil {
			errs = append(errs, s.Auth.FlushLastUsed(ctx))
		}
		errs = append(errs, s.DB.Close())
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// maxHeaderBytes bounds a request's headers (Go's default is 1 MiB): the
// largest legitimate ones are a session cookie and a bearer token.
const maxHeaderBytes = 64 << 10

// Serve answers HTTP on ln until ctx ends, then shuts down gracefully
// within server.shutdown_timeout and closes the server. Connections are
// bounded in number (server.max_connections, per address
// server.max_connections_per_address) and in time: headers must arrive
// within server.header_timeout, a body within server.body_timeout
// (web.BodyDeadline), and a kept-alive connection is closed after
// server.idle_timeout without a request, so slow clients cannot starve the
// others.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	cfg := s.Config.Server
	hs := &http.Server{
		Handler:           s.Handler,
		ReadHeaderTimeout: cfg.HeaderTimeout.Duration,
		IdleTimeout:       cfg.IdleTimeout.Duration,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(s.conns.wrap(ln)) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-served: // the listener failed
	}
	s.Logger.Info("shutting down", "timeout", s.Config.Server.ShutdownTimeout.String())
	s.drain()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.Config.Server.ShutdownTimeout.Duration)
	defer cancel()
	if serr := hs.Shutdown(sctx); serr != nil {
		s.Logger.Warn("requests still running at the shutdown timeout were cut", "err", serr)
		hs.Close()
	}
	if err == nil {
		if err = <-served; errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	}
	return errors.Join(err, s.Close(sctx))
}
