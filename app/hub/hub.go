// Package hub is Belfry's real-time push (docs/architecture.md): the
// /ws/notification/ endpoint of spec/websocket-api.txt with storm prevention
// and object-mute queries, on a connection registry of app/ws.
//
// Changes arrive from the bus through Hub.Handle on the publisher's
// goroutine. Handle only does in-memory work: it counts creations in the
// user's storm windows and, when the user has a live socket, queues the
// change to that user's worker. The worker, off the publisher's goroutine,
// reads the unread count once per batch and writes the frames, so the frames
// of one user reach each of their sockets in publish order.
package hub

import (
	"cmp"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/web"
	"github.com/belfry/belfry/app/ws"
	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// Path is the route of the notification endpoint.
const Path = "/ws/notification/"

const (
	// queueLimit bounds the changes waiting for one user's worker; past it
	// they collapse into one reload (see userQueues).
	queueLimit = 256
	// opTimeout bounds each database call the hub makes.
	opTimeout = 5 * time.Second
	// Client frames beyond this rate per socket are ignored: marking read is
	// a database write, and a socket must not be a way to flood the writer.
	inboundRate  = 20
	inboundBurst = 40
)

// Deps are the hub's collaborators.
type Deps struct {
	// BaseURL is server.base_url: a handshake's Origin must be its origin.
	BaseURL   string
	WebSocket app.WebSocketConfig
	// Limits bound the connections of every endpoint of the server
	// together (nil: limits of the hub's own, from WebSocket).
	Limits *ws.Limits
	Storm  app.StormConfig
	// Notifications answers the unread count of every frame, which needs
	// it only up to countCap.
	Notifications interface {
		UnreadCountUpTo(ctx context.Context, userID string, limit int) (int, error)
	}
	Mutes app.MuteStore // FindMute
	// Inbox marks read what a client marks read over its socket; the push
	// to the user's sockets follows from the bus like any other change.
	Inbox app.Inbox
	// Clock drives storm windows, backoff and trailing refreshes (nil:
	// the wall clock); tests use clocktest.Fake.
	Clock  clock.Clock
	Logger *slog.Logger // nil: slog.Default()
}

// Hub serves /ws/notification/. It is safe for concurrent use.
type Hub struct {
	d      Deps
	storm  app.StormConfig
	clock  clock.Clock
	log    *slog.Logger
	reg    *ws.Registry
	storms *stormDetector
	queues *userQueues

	ctx    context.Context // canceled by Close: ends database calls in flight
	cancel context.CancelFunc
}

// Stats are the hub's counters, for metrics.
type Stats struct {
	Sockets          int    // live sockets
	Pushes           uint64 // frames written to sockets
	DroppedSlow      uint64 // sockets closed because they did not read fast enough
	Coalesced        uint64 // frames that gave way to a reload for a socket that fell behind
	StormActivations uint64 // times a user entered a notification storm
}

// socket is the endpoint's state of one connection (Conn.Data).
type socket struct {
	mu       sync.Mutex
	throttle throttle
	limiter  *rate.Limiter // created on the first client frame
}

// New returns a Hub over d. It starts no goroutine until a change arrives.
func New(d Deps) *Hub {
	d.Logger = cmp.Or(d.Logger, slog.Default())
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	h := &Hub{d: d, storm: d.Storm, clock: d.Clock, log: d.Logger}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	o := ws.Configured(d.BaseURL, d.WebSocket, d.Limits, d.Logger)
	o.OnMessage, o.OnClose = h.handleMessage, h.handleClose
	h.reg = ws.New(o)
	h.storms = newStormDetector(d.Storm, h.clock.Now())
	h.queues = newUserQueues(queueLimit, h.process)
	return h
}

// Handle takes one change from the bus (bus.Subscribe(h.Handle)). It runs on
// the publisher's goroutine and never blocks: for a user without a socket it
// only counts a creation in the storm windows; otherwise it queues the change
// to the user's worker, which does the database read and the sends.
func (h *Hub) Handle(c app.Change) {
	if c.UserID == "" {
		return
	}
	now := h.clock.Now()
	var storm bool
	if c.Kind == app.ChangeCreated {
		storm = h.storms.record(c.UserID, now)
	} else {
		storm = h.storms.active(c.UserID, now)
	}
	if !h.reg.HasUser(c.UserID) {
		return
	}
	h.queues.enqueue(c.UserID, job{kind: jobChange, change: c, storm: storm, at: now})
}

// Register adds GET /ws/notification/ to r. authenticate resolves the caller
// (web.Authenticate); an anonymous handshake is answered 401 and a
// token without the client or admin scope 403, in the JSON error envelope,
// without an upgrade.
func (h *Hub) Register(r gin.IRouter, authenticate gin.HandlerFunc) {
	r.GET(Path, authenticate, web.RequireUser(app.ScopeClient), h.handleSocket)
}

func (h *Hub) handleSocket(c *gin.Context) {
	u := web.UserFrom(c)
	if u == nil { // RequireUser let an anonymous caller through: never upgrade
		web.WriteError(c, app.Errorf(app.EUNAUTHENTICATED, "Authentication required: log in or send an API token."))
		return
	}
	info := ws.ConnInfo{UserID: u.ID, Data: h.newSocket()}
	if t := web.TokenFrom(c); t != nil {
		info.TokenID = t.ID
	}
	// Revoking the token, or logging out of the session, closes the socket.
	info.Credential = web.CredentialFrom(c)
	if err := h.reg.Serve(c, info); err != nil {
		h.log.Debug("websocket: handshake refused", "user_id", u.ID, "err", err)
	}
}

func (h *Hub) newSocket() *socket {
	s := &socket{}
	s.throttle.start(h.clock.Now(), h.storm)
	return s
}

// handleClose cancels a socket's pending trailing refresh.
func (h *Hub) handleClose(c *ws.Conn) {
	s := c.Data().(*socket)
	s.mu.Lock()
	s.throttle.disarm()
	s.mu.Unlock()
}

// Revoke ends the sockets that lost their credentials (ws.Registry.Revoke);
// it suits auth.Service.OnRevoke.
func (h *Hub) Revoke(userID, tokenID string) { h.reg.Revoke(userID, tokenID) }

// Resync closes every socket with 1012 (service restart) after the change
// bus may have missed changes: clients reconnect and reload their state.
func (h *Hub) Resync() { h.reg.CloseAll(ws.CloseShutdown, "change bus reconnected; reload") }

// Close stops taking changes, lets the workers queue the frames of the
// changes already taken, then sends every socket a close frame behind them
// (1012, service restart: clients reconnect once the server is back) and
// waits briefly for the sockets to end. Call it before the HTTP server's
// Shutdown, which does not wait for upgraded connections. Closing twice is
// harmless.
func (h *Hub) Close() error {
	h.queues.close()
	err := h.reg.Close()
	h.cancel()
	return err
}

// Stats returns the hub's counters.
func (h *Hub) Stats() Stats {
	rs := h.reg.Stats()
	return Stats{Sockets: rs.Conns, Pushes: rs.Sent, DroppedSlow: rs.DroppedSlow, Coalesced: rs.Coalesced,
		StormActivations: h.storms.activations.Load()}
}
