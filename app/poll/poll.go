// Package poll is the REST polling API of spec/rest-polling-api.txt at
// /api/v1/client/notifications, for clients that cannot hold a WebSocket:
// keyset pages behind signed cursors, single reads, acknowledgement (one or
// up to 100 at once), ETags for cheap revalidation, long polls that return
// as soon as a newer notification exists, and a token-bucket rate limit per
// API token. docs/polling.md is its user-facing description.
package poll

import (
	"cmp"
	"context"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Deps are the polling API's collaborators, filled in by the serve wiring.
type Deps struct {
	// Polling is the token bucket of each API token: RatePerSecond and
	// Burst. A rate of zero or less disables the limit.
	Polling       app.PollingConfig
	Notifications app.NotificationStore // reads
	// Inbox acknowledges, and announces what it acknowledged.
	Inbox app.Inbox
	// Counts answers total_count; nil uses Notifications. db.NewNotificationTotals
	// sums trigger-kept totals instead of counting index entries, which keeps
	// the count cheap for users with hundreds of thousands of rows.
	Counts Counter
	// CursorKey signs cursors (db.CursorKey gives one that survives
	// restarts). It must not be empty.
	CursorKey []byte
	Clock     clock.Clock  // nil: the wall clock; tests use clocktest.Fake
	Logger    *slog.Logger // nil: slog.Default()
}

// Counter counts the notifications a filter selects, ignoring its page.
type Counter interface {
	CountNotifications(ctx context.Context, f app.NotificationFilter) (int, error)
}

// Server serves the polling API. It is safe for concurrent use.
type Server struct {
	d       Deps
	log     *slog.Logger
	cursors *cursorCodec
	limits  *limiter
	waiters *waiters
	pages   *pageCache

	quit     chan struct{}
	quitOnce sync.Once

	requests, rateLimited, notModified, cacheHits atomic.Uint64
}

// Stats counts what the polling API did since start.
type Stats struct {
	Requests    uint64 // requests that reached the API, answered or refused
	RateLimited uint64 // requests answered 429
	NotModified uint64 // requests answered 304 thanks to If-None-Match
	Waiting     int64  // long polls waiting right now
	Woken       uint64 // long polls woken by a new notification
	Limiters    int    // API tokens with a live rate-limit bucket
	CacheHits   uint64 // list requests answered from the page cache
	CachedBytes int    // encoded pages the cache holds
}

// New returns a Server over d. It panics when d.CursorKey is empty: cursors
// signed with no secret could be forged by anyone.
func New(d Deps) *Server {
	if len(d.CursorKey) == 0 {
		panic("poll: Deps.CursorKey must not be empty")
	}
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	d.Logger = cmp.Or(d.Logger, slog.Default())
	if d.Counts == nil {
		d.Counts = d.Notifications
	}
	return &Server{
		d:       d,
		log:     d.Logger,
		cursors: newCursorCodec(d.CursorKey),
		limits:  newLimiter(d.Polling.RatePerSecond, d.Polling.Burst),
		waiters: newWaiters(),
		pages:   newPageCache(pageCacheBytes),
		quit:    make(chan struct{}),
	}
}

// Register adds the polling routes to r. authenticate is the API's
// credential resolver (web.Authenticate); on top of it the polling
// API demands a Bearer token of client or admin scope — a session cookie is
// not enough — and applies the per-token rate limit.
func (s *Server) Register(r gin.IRouter, authenticate gin.HandlerFunc) {
	g := r.Group("/api/v1/client/notifications",
		s.countRequest, requireBearer, authenticate, rejectPublishToken, web.RequireUser(app.ScopeClient), s.rateLimit)
	g.GET("", s.handleList)
	// The static segment sits beside the :id routes; gin prefers it.
	g.POST("/acknowledge", s.handleAcknowledgeMany)
	g.GET("/:id", s.handleGet)
	g.POST("/:id/acknowledge", s.handleAcknowledge)
}

// Handle is the bus subscriber: every change of a user retires their cached
// pages, and a ChangeCreated wakes their waiting long polls. It never
// blocks. Every write to notifications must be published for the cache to
// be exact; an unpublished one shows within pageCacheTTL.
func (s *Server) Handle(c app.Change) {
	if c.UserID == "" {
		return
	}
	s.pages.invalidate(c.UserID)
	if c.Kind == app.ChangeCreated {
		s.waiters.wake(c.UserID)
	}
}

// Resync retires every cached page and answers every waiting long poll
// after the change bus may have missed changes: pollers ask again and read
// the database.
func (s *Server) Resync() {
	s.pages.invalidateAll()
	s.waiters.wakeAll()
}

// Close ends every waiting long poll at once (each answers with its current,
// empty page) and makes later long polls answer without waiting. Call it
// before shutting the HTTP server down, so that it need not wait up to a
// minute for them.
func (s *Server) Close() error {
	s.quitOnce.Do(func() { close(s.quit) })
	return nil
}

// Stats returns the current counters.
func (s *Server) Stats() Stats {
	_, cached := s.pages.size()
	return Stats{
		Requests:    s.requests.Load(),
		RateLimited: s.rateLimited.Load(),
		NotModified: s.notModified.Load(),
		Waiting:     s.waiters.waiting.Load(),
		Woken:       s.waiters.woken.Load(),
		Limiters:    s.limits.Len(),
		CacheHits:   s.cacheHits.Load(),
		CachedBytes: cached,
	}
}

func (s *Server) countRequest(c *gin.Context) {
	s.requests.Add(1)
	c.Next()
}
