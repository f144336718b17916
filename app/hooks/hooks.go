// Package hooks receives the webhooks other programs send when something
// happens — Prometheus Alertmanager's and Grafana's alerts, GitHub's
// events — and any other JSON through a token's custom mapping, and
// publishes them through app/ingest like every dialect (docs/dialects.md).
//
// Routes: POST /api/v1/hooks/alertmanager, /grafana, /github and /custom,
// authenticated by a publish token (Authorization: Bearer, Basic with the
// token as password, or ?token= for senders that cannot set headers); and
// GET, PUT, DELETE /api/tokens/:id/mapping, where a token's owner sets its
// custom mapping and signing secret.
//
// A firing alert becomes a notification per recipient; its resolution
// marks those resolved through the inbox (app.Inbox.Resolve) instead of
// adding a second item. The alert store remembers which notifications an
// alert created.
package hooks

import (
	"cmp"
	"context"
	"hash/maphash"
	"log/slog"
	"sync"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ingest"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Publisher publishes a dialect's message (ingest.Publisher).
type Publisher interface {
	Publish(ctx context.Context, publisher *app.User, m ingest.Message) (*app.DispatchResult, error)
}

// Tokens resolves a token secret to its owner (auth.Service).
type Tokens interface {
	TokenUser(ctx context.Context, secret string) (*app.User, *app.Token, error)
}

// Deps are the hooks' collaborators, filled in by the server's wiring.
type Deps struct {
	// BaseURL is server.base_url, shown in the hook addresses.
	BaseURL   string
	Types     *app.Types
	Tokens    Tokens
	Publisher Publisher
	// Inbox marks resolved alerts resolved.
	Inbox    app.Inbox
	Alerts   app.AlertStore
	Mappings app.TokenMappingStore
	Logger   *slog.Logger // nil: slog.Default()
}

// alertLocks is how many locks serialise the handling of alerts: one
// alert's firing and resolution never interleave, different alerts rarely
// wait for each other.
const alertLocks = 64

// Service serves the hook routes. It is safe for concurrent use.
type Service struct {
	d     Deps
	seed  maphash.Seed
	locks [alertLocks]sync.Mutex
	cache compiledCache
}

// New returns the hooks service over d.
func New(d Deps) *Service {
	d.Logger = cmp.Or(d.Logger, slog.Default())
	return &Service{d: d, seed: maphash.MakeSeed()}
}

// Register serves the hooks under /api/v1/hooks and the token mappings
// under /api/tokens/:id/mapping; authenticate resolves the caller of the
// latter (web.Authenticate), which, like the other token routes, needs a
// browser session or an admin token.
func (s *Service) Register(r gin.IRouter, authenticate gin.HandlerFunc) {
	h := r.Group("/api/v1/hooks", s.requireToken)
	h.POST("/alertmanager", s.handleAlertmanager)
	h.POST("/grafana", s.handleGrafana)
	h.PUT("/grafana", s.handleGrafana)
	h.POST("/github", s.handleGitHub)
	h.POST("/custom", s.handleCustom)

	m := r.Group("/api/tokens/:id/mapping", authenticate, web.RequireUser())
	m.GET("", s.handleGetMapping)
	m.PUT("", s.handlePutMapping)
	m.DELETE("", s.handleDeleteMapping)
}

// lock serialises the work on one alert and returns the unlock.
func (s *Service) lock(key app.AlertKey) func() {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteString(key.PublisherID)
	h.WriteString(key.Source)
	h.WriteString(key.Topic)
	h.WriteString(key.Fingerprint)
	mu := &s.locks[h.Sum64()%alertLocks]
	mu.Lock()
	return mu.Unlock
}

// BaseURL is where the hooks are served, for the addresses the UI shows.
func (s *Service) BaseURL() string { return s.d.BaseURL }
