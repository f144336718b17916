package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/channels"
	"github.com/belfry/belfry/app/dispatch"
	"github.com/belfry/belfry/app/hub"
	"github.com/belfry/belfry/app/metrics"
	"github.com/belfry/belfry/app/retention"
	"github.com/belfry/belfry/app/webhook"
	"github.com/belfry/belfry/db"
	"github.com/gin-gonic/gin"
)

// Server is the whole application, wired: the open database, the stores and
// services, and the HTTP handler serving every route. Tests and benchmarks
// build one with NewServer and serve Handler with httptest.
type Server struct {
	Config app.Config
	Logger *slog.Logger

	DB            *db.DB
	Types         *app.Types
	Users         *db.UserStore
	Sessions      *db.SessionStore
	Tokens        *db.TokenStore
	Notifications *db.NotificationStore
	Preferences   *db.PreferenceStore
	Mutes         *db.MuteStore
	Auth          *auth.Service
	Bus           *bus.Bus
	// Dispatcher is notify(); it wakes the webhook worker after every
	// dispatch that queued deliveries.
	Dispatcher app.Dispatcher
	Webhooks   *webhook.Worker
	Channels   *channels.Service
	API        *api.Server
	Hub        *hub.Hub
	// Metrics is the Prometheus registry; capabilities add their sources
	// with GaugeFunc and CounterFunc (see metrics.go).
	Metrics *metrics.Registry
	// Retention prunes old data hourly (retention.* settings).
	Retention *retention.Job

	// Engine routes every request; Handler is the same, as an http.Handler.
	Engine  *gin.Engine
	Handler http.Handler

	// AdminPassword is the generated password of the first admin when this
	// start created it ("" otherwise). Show it once, never log it.
	AdminPassword string

	version  string
	draining atomic.Bool
	bgCtx    context.Context    // lives until Close
	stop     context.CancelFunc // ends bgCtx
	bg       sync.WaitGroup
	closers  []func(context.Context) error
	drainers []func()
	drained  sync.Once
	close    sync.Once
	closeErr error
}

// Option adjusts NewServer.
type Option func(*Server)

// WithVersion sets the version that /readyz reports.
func WithVersion(v string) Option { return func(s *Server) { s.version = v } }

// capability wires one capability into the server: it registers its routes
// on s.Engine, may start goroutines with s.Go and may add shutdown work with
// s.OnClose. ctx bounds only the start-up work.
type capability func(ctx context.Context, s *Server) error

// NewServer validates cfg, opens and migrates the database, creates the
// first admin if there is no user yet, and wires every service and route.
// ctx bounds only the start-up work. The caller owns the Server and must
// Close it (Serve does so itself). Errors: EINVALID for a bad config.
func NewServer(ctx context.Context, cfg app.Config, logger *slog.Logger, opts ...Option) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	types, err := app.NewTypes(cfg.Notifications.Types)
	if err != nil {
		return nil, err
	}
	s := &Server{Config: cfg, Logger: logger, Types: types, version: "dev"}
	for _, o := range opts {
		o(s)
	}
	s.Metrics = metrics.New(s.version)
	dbo := dbOptions(cfg)
	dbo.OnCommit = s.Metrics.ObserveCommit
	if s.DB, err = db.Open(dbo); err != nil {
		return nil, err
	}
	s.bgCtx, s.stop = context.WithCancel(context.WithoutCancel(ctx))
	if err := s.wire(ctx); err != nil {
		return nil, errors.Join(err, s.Close(ctx))
	}
	s.Go(s.Auth.Run)
	s.Go(s.Retention.Run)
	return s, nil
}

// wire migrates the database and builds the services and routes.
func (s *Server) wire(ctx context.Context) error {
	n, err := s.DB.Migrate(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		s.Logger.Info("database migrated", "path", s.DB.Path(), "applied", n)
	}
	s.Users, s.Sessions, s.Tokens = db.NewUserStore(s.DB), db.NewSessionStore(s.DB), db.NewTokenStore(s.DB)
	s.Notifications, s.Preferences, s.Mutes = db.NewNotificationStore(s.DB), db.NewPreferenceStore(s.DB), db.NewMuteStore(s.DB)
	s.Auth = auth.New(auth.Options{
		Users: s.Users, Tokens: s.Tokens, Sessions: s.Sessions,
		SessionTTL: s.Config.Auth.SessionTTL.Duration, Logger: s.Logger,
	})
	if s.AdminPassword, err = s.Auth.EnsureAdmin(ctx, s.Config.Auth.AdminPassword); err != nil {
		return err
	}
	if err := s.checkDesktopUser(ctx); err != nil {
		return err
	}
	s.Bus = bus.New()
	s.Retention = retention.New(retention.Deps{
		Pruner: s.DB, Config: s.Config.Retention, Deliveries: s.Config.Webhooks.Retention.Duration,
		Changes: s.Bus, Logger: s.Logger,
	})
	s.observeCore()
	// Webhooks are the dispatcher's third channel: the router queues
	// deliveries in the dispatch transaction, the worker sends them.
	wd := webhook.Deps{Config: s.Config, Types: s.Types, Store: db.NewWebhookStore(s.DB), Logger: s.Logger}
	s.Webhooks = webhook.NewWorker(wd)
	s.Dispatcher = s.Webhooks.KickAfter(dispatch.New(dispatch.Deps{
		Types: s.Types, Users: s.Users, Notifications: s.Notifications, Preferences: s.Preferences,
		Mutes: s.Mutes, Changes: s.Bus, Webhooks: webhook.NewRouter(wd), Logger: s.Logger,
	}))
	s.API = api.New(api.Deps{
		Config: s.Config, Types: s.Types, Auth: s.Auth, Users: s.Users, Notifications: s.Notifications,
		Preferences: s.Preferences, Mutes: s.Mutes, Dispatcher: s.Dispatcher, Changes: s.Bus,
		Ready: s.ready, Logger: s.Logger, Version: s.version,
	})
	if err := s.newEngine(); err != nil {
		return err
	}
	for _, c := range capabilities {
		if err := c(ctx, s); err != nil {
			return err
		}
	}
	s.observeCapabilities()
	return nil
}

// newEngine builds the gin engine with the middleware every route shares
// and the JSON API's routes.
func (s *Server) newEngine() error {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if s.Config.Metrics.Enabled {
		// Outermost, so that a panic answered 500 by recovery is counted.
		e.Use(s.Metrics.Middleware())
	}
	e.Use(recovery(s.Logger), requestLog(s.Logger))
	if s.Config.Auth.DesktopUser != "" {
		e.Use(s.desktopSignIn())
	}
	// Without trusted proxies ClientIP is the TCP peer: an X-Forwarded-For
	// header from anyone else is ignored.
	if err := e.SetTrustedProxies(s.Config.Server.TrustedProxies); err != nil {
		return app.Errorf(app.EINVALID, "server.trusted_proxies: %v", err)
	}
	e.Use(api.CrossOriginGuard(s.Config.Server.BaseURL))
	s.API.Register(e)
	s.registerOperations(e)
	e.NoRoute(func(c *gin.Context) {
		api.WriteError(c, app.Errorf(app.ENOTFOUND, "No route for %s %s.", c.Request.Method, c.Request.URL.Path))
	})
	s.Engine, s.Handler = e, e
	return nil
}

// ready is /readyz: the database answers and no shutdown has begun.
func (s *Server) ready(ctx context.Context) error {
	if s.draining.Load() {
		return errors.New("shutting down")
	}
	return s.DB.Ping(ctx)
}

// Go runs fn in a background goroutine with a context that ends when Close
// begins; Close waits for fn to return.
func (s *Server) Go(fn func(ctx context.Context)) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		fn(s.bgCtx)
	}()
}

// OnDrain adds fn to the start of a graceful shutdown: Serve runs these
// when the signal arrives, before it waits for the requests in flight, so
// that long-running requests (long polls) can answer at once.
func (s *Server) OnDrain(fn func()) { s.drainers = append(s.drainers, fn) }

// OnClose adds fn to the shutdown work; Close runs these in reverse order
// after the background goroutines ended and before the database closes.
func (s *Server) OnClose(fn func(context.Context) error) { s.closers = append(s.closers, fn) }

// drain marks the server as shutting down and runs the OnDrain functions,
// once, whether Serve or Close gets there first.
func (s *Server) drain() {
	s.drained.Do(func() {
		s.draining.Store(true)
		for _, fn := range s.drainers {
			fn()
		}
	})
}

// Close stops the background work, runs the OnClose functions, writes the
// tokens' last-used times and closes the database after its writer drained.
// It is safe to call more than once; later calls return the first result.
func (s *Server) Close(ctx context.Context) error {
	s.close.Do(func() {
		s.drain()
		s.stop()
		s.bg.Wait()
		var errs []error
		for i := len(s.closers) - 1; i >= 0; i-- {
			errs = append(errs, s.closers[i](ctx))
		}
		if s.Auth != nil {
			errs = append(errs, s.Auth.FlushLastUsed(ctx))
		}
		errs = append(errs, s.DB.Close())
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// Serve answers HTTP on ln until ctx ends, then shuts down gracefully
// within server.shutdown_timeout and closes the server.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
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

func (r *runner) serve(ctx context.Context, args []string) error {
	fs := r.flags("serve", "[--config FILE]",
		"Run the hub: open and migrate the database, create the first admin, and answer HTTP on\n"+
			"server.listen until interrupted (SIGINT or SIGTERM), then shut down gracefully.")
	if _, err := r.parse(fs, args, 0, 0); err != nil {
		return err
	}
	cfg, err := r.config(fs)
	if err != nil {
		return err
	}
	logger := newLogger(cfg.Log, r.stderr)
	// While serve runs it holds the database's lock file, so that belfry
	// restore refuses to replace the database under it.
	lock, err := lockDatabase(cfg.Database.Path, false)
	if err != nil {
		return err
	}
	defer lock.Close()
	// Listen first: a taken port fails before anything is created.
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Server.Listen, err)
	}
	mln, err := listenMetrics(cfg.Metrics)
	if err != nil {
		ln.Close()
		return err
	}
	s, err := NewServer(ctx, cfg, logger, WithVersion(r.version))
	if err != nil {
		ln.Close()
		if mln != nil {
			mln.Close()
		}
		if app.ErrorKind(err) == app.EINVALID { // a setting that only start-up can check
			return &UsageError{Err: err}
		}
		return err
	}
	if s.AdminPassword != "" {
		fmt.Fprintf(r.stdout, "Created user %q with password: %s (change it with: belfry user passwd %s)\n",
			auth.AdminUsername, s.AdminPassword, auth.AdminUsername)
	}
	if mln != nil {
		s.serveMetrics(mln)
		fmt.Fprintf(r.stdout, "Metrics on http://%s/metrics\n", mln.Addr())
	}
	fmt.Fprintf(r.stdout, "Belfry listening on http://%s\n", ln.Addr())
	logger.Info("listening", "addr", ln.Addr().String(), "base_url", cfg.Server.BaseURL, "version", r.version,
		"database", cfg.Database.Path)
	return s.Serve(ctx, ln)
}
