// Package heartbeat is Belfry's dead man's switch: a check expects a ping
// every period, or on a cron schedule, within a grace time; a check that is
// not pinged in time goes late, one pinged with a failure goes down, and
// either raises a notification of the check's type and level through the
// dispatcher (so every channel applies). The next success raises "back"
// and marks the alert read through the inbox.
//
// Routes: the ping URLs, compatible with healthchecks.io's — GET, POST or
// HEAD /ping/<key>, /ping/<key>/start, /ping/<key>/fail, /ping/<key>/log
// and /ping/<key>/<exit status> — answer "OK"; the JSON API under
// /api/heartbeats manages the caller's own checks.
//
// State lives in SQLite. One timer waits for the earliest deadline of all
// checks (rounded up to the second, so deadlines of the same second share
// a wake-up); at start, deadlines missed while Belfry was off are
// evaluated at once.
package heartbeat

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"hash/maphash"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Deps are the service's collaborators.
type Deps struct {
	// BaseURL is server.base_url, the start of the ping URLs shown.
	BaseURL string
	// Timezone is the server's time zone (report.timezone), the default
	// of a cron check's.
	Timezone   string
	Types      *app.Types
	Store      app.HeartbeatStore
	Users      app.UserStore
	Dispatcher app.Dispatcher
	Inbox      app.Inbox
	Clock      clock.Clock  // nil: the wall clock; tests use clocktest.Fake
	Logger     *slog.Logger // nil: slog.Default()
	// Deadlines carries new deadlines to every replica, so that the one
	// that runs the timers (docs/cluster.md) wakes for them (nil: this
	// process only).
	Deadlines *bus.Topic[time.Time]
	// Locker makes the work on one object exclusive across the replicas
	// (nil: app.Alone, this process's own locks only).
	Locker app.Locker
}

// checkLocks is how many locks serialise the transitions of checks: one
// check's pings and deadline never interleave.
const checkLocks = 64

// Service runs the checks. It is safe for concurrent use.
type Service struct {
	d     Deps
	seed  maphash.Seed
	locks [checkLocks]sync.Mutex
	// alarm waits for the earliest deadline of all checks.
	alarm     *clock.Alarm
	deadlines *bus.Topic[time.Time]
	// pings counts the signals accepted, alerts the checks that went late
	// or down.
	pings, alerts atomic.Int64
}

// New returns the service over d.
func New(d Deps) *Service {
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	d.Logger = cmp.Or(d.Logger, slog.Default())
	d.Locker = cmp.Or[app.Locker](d.Locker, app.Alone{})
	s := &Service{d: d, seed: maphash.MakeSeed(), alarm: clock.NewAlarm(d.Clock), deadlines: cmp.Or(d.Deadlines, bus.Local[time.Time]())}
	s.deadlines.Subscribe(s.alarm.Changed)
	return s
}

// Register serves the ping URLs (public: the key is the credential) and
// the JSON API behind authenticate, which, like webhooks, needs a browser
// session or an admin token.
func (s *Service) Register(r gin.IRouter, authenticate gin.HandlerFunc) {
	for _, p := range []string{"/ping/:key", "/ping/:key/:signal"} {
		r.GET(p, s.handlePing)
		r.POST(p, s.handlePing)
		r.HEAD(p, s.handlePing)
	}
	g := r.Group("/api/heartbeats", authenticate, web.RequireUser())
	g.GET("", s.handleList)
	g.POST("", s.handleCreate)
	g.GET("/:id", s.handleGet)
	g.PATCH("/:id", s.handleUpdate)
	g.DELETE("/:id", s.handleDelete)
	g.POST("/:id/pause", s.handlePause)
}

// PingURL is the success URL of key.
func (s *Service) PingURL(key string) string { return s.d.BaseURL + "/ping/" + key }

// lock serialises the work on one check, in this process and across the
// replicas (Locker), and returns the unlock.
func (s *Service) lock(ctx context.Context, id string) (func(), error) {
	mu := &s.locks[maphash.String(s.seed, id)%checkLocks]
	mu.Lock()
	unlock, err := s.d.Locker.Lock(ctx, "heartbeat:"+id)
	if err != nil {
		mu.Unlock()
		return nil, err
	}
	return func() { unlock(); mu.Unlock() }, nil
}

// keyLen is the length of a ping key: 16 random bytes, base64url.
const keyLen = 22

// newKey returns a fresh ping key.
func newKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validKey reports whether key looks like a ping key.
func validKey(key string) bool {
	if len(key) != keyLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(key)
	return err == nil
}

// changed tells Run that a check's deadline is now d (nil: none).
func (s *Service) changed(d *time.Time) {
	if d != nil {
		s.deadlines.Publish(context.Background(), *d)
	}
}

func (s *Service) now() time.Time { return s.d.Clock.Now().UTC() }

// Resync makes Run look at the deadlines again after a gap of the bus,
// which may have lost one announced by another replica.
func (s *Service) Resync() { s.alarm.Kick() }
