// Package ws is the registry of live WebSocket connections that Belfry's
// real-time endpoints share (/ws/notification/ in app/hub, /ws/channels/ in
// app/channels): per-user and per-subscription indexes, byte-bounded send
// queues that never block a publisher, coalescing for clients that fall
// behind, slow-peer dropping, connection limits, Origin checks and closing
// the connections of revoked credentials.
package ws

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"
)

// Registry is the set of live connections of one WebSocket endpoint.
//
// It keeps two indexes: user id → connections and subscription name →
// connections. SendToUser and SendToSubscription touch only the connections
// in the index entry, never every connection, and never block. Each
// connection has a send queue bounded in bytes (Options.MaxQueuedBytes)
// that its own writer goroutine — started when the queue fills, gone when
// it is empty — drains into the socket, several frames per system call. A
// connection is closed as slow, and counted, only when a write makes no
// progress for Options.WriteTimeout or its queue passes the bound and
// cannot coalesce (see Conn.SendCoalescing); no other connection notices.
// An idle connection holds one goroutine (its reader) and no queue.
//
// Frames queued to one connection are written in the order they were
// queued; a sender that wants an order across several sends (the hub's
// per-user worker) makes them from one goroutine.
//
// Handshakes are authenticated by the caller (see Serve); the Registry checks
// the connection limits and Origin against the public base URL. Every
// method is safe for concurrent use, including from within the OnMessage,
// OnConnect and OnClose hooks.
//
// An endpoint is wired like this (the Hub is the full example):
//
//	reg := ws.New(ws.Options{BaseURL: cfg.Server.BaseURL, Limits: limits, OnMessage: onFrame, …})
//	r.GET("/ws/channels/", authenticate, web.RequireUser(app.ScopeClient), func(c *gin.Context) {
//		info := ws.ConnInfo{UserID: web.UserFrom(c).ID, Data: &myState{}}
//		if t := web.TokenFrom(c); t != nil {
//			info.TokenID = t.ID
//		}
//		_ = reg.Serve(c, info) // answers refusals itself
//	})
//
// onFrame(conn, msg) decides what a client may subscribe to and calls
// reg.Subscribe(conn, "channel:"+id); publishers call
// reg.SendToSubscription("channel:"+id, frame) or reg.SendToUser(id, frame);
// shutdown calls reg.Close before the HTTP server's Shutdown.
type Registry struct {
	opts     Options
	origin   string // normalised origin of opts.BaseURL, "" when unusable
	log      *slog.Logger
	upgrader websocket.Upgrader

	mu     sync.RWMutex
	conns  map[*Conn]struct{}
	users  map[string]map[*Conn]struct{}
	subs   map[string]map[*Conn]struct{}
	closed bool

	sent, dropped, coalesced atomic.Uint64
}

// Options configure a Registry. The settings of websocket.* come from the
// configuration (app.DefaultConfig has their defaults) and must be
// positive; the others are optional.
type Options struct {
	// BaseURL is the server's public URL: a handshake's Origin must be its
	// origin (scheme, host and port). Without a usable BaseURL the Origin
	// must name the requested host.
	BaseURL string
	// MaxMessageBytes bounds a client frame; a larger one closes the
	// connection with 1009 (message too big).
	MaxMessageBytes int
	// MaxQueuedBytes bounds the bytes of the frames waiting for one
	// connection (websocket.max_queued_bytes). Past it, frames sent with
	// SendCoalescing give way to their catch-up frame; if that is not
	// enough the connection is dropped as slow.
	MaxQueuedBytes int
	// WriteTimeout is how long a write may make no progress before the
	// connection is dropped as slow (websocket.write_timeout).
	WriteTimeout time.Duration
	// SendBuffer is how many queued frames go out in one system call at
	// most (websocket.send_buffer).
	SendBuffer int
	// PingPeriod is how often the server pings; a peer silent for one and a
	// half periods is considered dead and reaped.
	PingPeriod time.Duration
	// CloseGrace bounds how long Close waits for connections to end after
	// their close frames before it cuts them. Default 2 s.
	CloseGrace time.Duration
	// Limits bound the connections, shared with the server's other
	// endpoints (NewLimits). Required.
	Limits *Limits

	// OnConnect runs on the connection's own goroutine once it is indexed,
	// before any client frame is read. Optional.
	OnConnect func(c *Conn)
	// OnMessage runs on the connection's own goroutine for each client text
	// frame, one at a time: a slow hook delays only that connection. Binary
	// frames are ignored. Optional.
	OnMessage func(c *Conn, msg []byte)
	// OnClose runs once the connection has ended and left the indexes.
	// Optional.
	OnClose func(c *Conn)

	Logger *slog.Logger // default slog.Default()
}

// ConnInfo describes the peer of a handshake that the caller authenticated.
type ConnInfo struct {
	UserID string
	// TokenID is the API token the peer authenticated with, "" for a
	// browser session. Such a peer may omit Origin: no browser sends a
	// bearer token on its own, so it carries no ambient credentials.
	TokenID string
	// Credential names what authenticated the handshake (api.CredentialFrom):
	// the token id or the browser session's credential. Registry.CloseToken
	// closes the connections opened with it.
	Credential string
	// Presented says the peer sent its credential in the request itself (an
	// Authorization header or a query parameter), not in a cookie: like a
	// token, such a peer may omit Origin (a browser always sends one).
	Presented bool
	// Data is the endpoint's state for the connection, see Conn.Data.
	Data any
}

// Stats are a Registry's counters.
type Stats struct {
	Conns       int    // live connections
	Sent        uint64 // text frames written to peers
	DroppedSlow uint64 // connections dropped as too slow
	Coalesced   uint64 // queued frames that gave way to a catch-up frame
}

// ErrClosed is returned by Serve once the Registry is closed.
var ErrClosed = errors.New("ws: registry closed")

// readBufferSize is each connection's read buffer; larger client frames are
// read in several system calls.
const readBufferSize = 512

// New returns an open Registry. It panics when a websocket.* setting is not
// positive: Config.Validate refuses such a config, so that is a wiring bug.
func New(o Options) *Registry {
	if o.MaxMessageBytes <= 0 || o.MaxQueuedBytes <= 0 || o.WriteTimeout <= 0 || o.SendBuffer <= 0 || o.PingPeriod <= 0 {
		panic("ws: Options.MaxMessageBytes, MaxQueuedBytes, WriteTimeout, SendBuffer and PingPeriod must be positive")
	}
	if o.Limits == nil {
		panic("ws: Options.Limits is required")
	}
	o = o.withDefaults()
	r := &Registry{
		opts:   o,
		origin: originOf(o.BaseURL),
		log:    o.Logger,
		conns:  map[*Conn]struct{}{},
		users:  map[string]map[*Conn]struct{}{},
		subs:   map[string]map[*Conn]struct{}{},
	}
	if r.origin == "" {
		r.log.Warn("websocket: server.base_url is not an absolute http(s) URL; handshakes must come from the requested host", "base_url", o.BaseURL)
	}
	r.upgrader = websocket.Upgrader{
		// Client frames are small: a small read buffer of its own lets the
		// HTTP server's 4 KiB one go. A pool holds write buffers only while a
		// frame is being written, so idle connections keep none.
		ReadBufferSize:   readBufferSize,
		WriteBufferPool:  writeBuffers,
		HandshakeTimeout: o.WriteTimeout,
		CheckOrigin:      func(req *http.Request) bool { return checkOrigin(r.origin, req) },
		Error:            handshakeError,
	}
	return r
}

// Configured returns the Options of an endpoint with the websocket.*
// settings of c, the public base URL and the server's limits (nil: limits
// of the endpoint's own, from c); the endpoint adds its hooks.
func Configured(baseURL string, c app.WebSocketConfig, limits *Limits, logger *slog.Logger) Options {
	if limits == nil {
		limits = NewLimits(c)
	}
	return Options{
		BaseURL:         baseURL,
		MaxMessageBytes: c.MaxMessageBytes,
		MaxQueuedBytes:  c.MaxQueuedBytes,
		WriteTimeout:    c.WriteTimeout.Duration,
		SendBuffer:      c.SendBuffer,
		PingPeriod:      c.PingPeriod.Duration,
		Limits:          limits,
		Logger:          logger,
	}
}

func (o Options) withDefaults() Options {
	if o.CloseGrace <= 0 {
		o.CloseGrace = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Serve upgrades an authenticated handshake and returns once the handshake
// is done; the connection is then served on a goroutine of its own. The
// caller has authenticated the peer (info). A refused handshake — over a
// connection limit (429 with Retry-After), a cross-origin or missing Origin
// without a token, a request that is not a WebSocket handshake, a closed
// Registry — is answered in the JSON error envelope and reported as an
// error; the connection is never upgraded.
//
// The client address the limits count is c.ClientIP(), which believes
// X-Forwarded-For only from server.trusted_proxies.
//
// When Serve returns nil the connection is indexed: something sent to its
// user from then on reaches it.
func (r *Registry) Serve(gc *gin.Context, info ConnInfo) error {
	r.mu.RLock()
	closed := r.closed
	r.mu.RUnlock()
	if closed {
		handshakeError(gc.Writer, gc.Request, http.StatusServiceUnavailable, nil)
		return ErrClosed
	}
	addr := gc.ClientIP()
	if refused := r.opts.Limits.admit(addr); refused != "" {
		gc.Header("Retry-After", strconv.Itoa(int(RetryAfter/time.Second)))
		err := r.opts.Limits.refusal(refused)
		web.WriteError(gc, err)
		return err
	}
	c := &Conn{reg: r, userID: info.UserID, tokenID: info.TokenID, credential: info.Credential, presented: info.Presented || info.TokenID != "", data: info.Data,
		addr: addr, done: make(chan struct{})}
	req := gc.Request.WithContext(withConn(gc.Request.Context(), c))
	var nc *batchConn
	ws, err := r.upgrader.Upgrade(hijacker{gc.Writer, func(raw *batchConn) { nc = raw }, r.opts.WriteTimeout}, req, nil)
	if err != nil { // the upgrader has answered
		if nc != nil { // hijacked, then refused: gorilla closed it
			_ = nc.release()
		}
		c.releaseSlot()
		return err
	}
	c.ws, c.nc = ws, nc
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		_ = nc.release()
		c.abortHandshake()
		return ErrClosed
	}
	r.indexLocked(c)
	r.mu.Unlock()
	// The 101 goes out now, before any frame queued since indexing (the
	// hijacker held it): a peer that sees it misses no later send.
	if err := nc.release(); err != nil {
		_ = nc.Close() // the reader ends and unindexes it
	}
	// A fresh goroutine, not the handler's — whose stack is deep after
	// routing, authentication and a database lookup — so an idle
	// connection holds one shallow stack.
	go c.serve()
	return nil
}

// Stats returns the Registry's counters.
func (r *Registry) Stats() Stats {
	r.mu.RLock()
	n := len(r.conns)
	r.mu.RUnlock()
	return Stats{Conns: n, Sent: r.sent.Load(), DroppedSlow: r.dropped.Load(), Coalesced: r.coalesced.Load()}
}
