// Package ws is the registry of live WebSocket connections that Belfry's
// real-time endpoints share (/ws/notification/ in app/hub, /ws/channels/ in
// app/channels): per-user and per-subscription indexes, bounded sends that
// never block a publisher, slow-peer dropping, Origin checks and closing
// the connections of revoked credentials.
package ws

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"
	"github.com/olahol/melody"
)

// Registry is the set of live connections of one WebSocket endpoint.
//
// A Registry wraps one melody instance and keeps two indexes of its own:
// user id → connections and subscription name → connections. SendToUser and
// SendToSubscription touch only the connections in the index entry, never
// every connection (melody's BroadcastFilter would scan them all under a
// lock), and never block: each connection has a bounded send buffer, and a
// connection whose buffer is full is dropped — closed and counted — without
// affecting any other. The peer reconnects and reloads.
//
// Frames queued to one connection are written in the order they were
// queued; a sender that wants an order across several sends (the hub's
// per-user worker) makes them from one goroutine.
//
// Handshakes are authenticated by the caller (see Serve); the Registry checks
// Origin against the public base URL. Every method is safe for concurrent
// use, including from within the OnMessage, OnConnect and OnClose hooks.
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
	m      *melody.Melody
	opts   Options
	origin string // normalised origin of opts.BaseURL, "" when unusable
	log    *slog.Logger

	sessions sync.Map // *melody.Session → *Conn, for melody's hooks

	mu     sync.RWMutex
	conns  map[*Conn]struct{}
	users  map[string]map[*Conn]struct{}
	subs   map[string]map[*Conn]struct{}
	closed bool

	sent    atomic.Uint64
	dropped atomic.Uint64
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
	// SendBuffer is how many frames may wait for a connection before it
	// counts as too slow and is dropped.
	SendBuffer int
	// PingPeriod is how often the server pings; a peer silent for one and a
	// half periods is considered dead and reaped.
	PingPeriod time.Duration
	// WriteWait bounds the write of one frame. Default 10 s.
	WriteWait time.Duration
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
	// Data is the endpoint's state for the connection, see Conn.Data.
	Data any
}

// Stats are a Registry's counters.
type Stats struct {
	Conns       int    // live connections
	Sent        uint64 // text frames written to peers
	DroppedSlow uint64 // connections dropped because their send buffer was full
}

// ErrClosed is returned by Serve once the Registry is closed.
var ErrClosed = errors.New("ws: registry closed")

// readBufferSize is each connection's read buffer; larger client frames are
// read in several system calls.
const readBufferSize = 512

// New returns an open Registry. It panics when a websocket.* setting is not
// positive: Config.Validate refuses such a config, so that is a wiring bug.
func New(o Options) *Registry {
	if o.MaxMessageBytes <= 0 || o.SendBuffer <= 0 || o.PingPeriod <= 0 {
		panic("ws: Options.MaxMessageBytes, SendBuffer and PingPeriod must be positive")
	}
	if o.Limits == nil {
		panic("ws: Options.Limits is required")
	}
	o = o.withDefaults()
	r := &Registry{
		m:      melody.New(),
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
	r.m.Config.MaxMessageSize = int64(o.MaxMessageBytes)
	r.m.Config.MessageBufferSize = o.SendBuffer
	r.m.Config.PingPeriod = o.PingPeriod
	r.m.Config.PongWait = o.PingPeriod * 3 / 2
	r.m.Config.WriteWait = o.WriteWait
	r.m.Upgrader = &websocket.Upgrader{
		// Client frames are small: a small read buffer of its own lets the
		// HTTP server's 4 KiB one go. A pool holds write buffers only while a
		// frame is being written, so idle connections keep none.
		ReadBufferSize:  readBufferSize,
		WriteBufferPool: &sync.Pool{},
		CheckOrigin:     func(req *http.Request) bool { return checkOrigin(r.origin, req) },
		Error:           handshakeError,
	}
	r.m.HandleConnect(r.handleConnect)
	r.m.HandleDisconnect(r.handleDisconnect)
	r.m.HandleMessage(r.handleMessage)
	r.m.HandleError(r.handleError)
	r.m.HandleSentMessage(func(*melody.Session, []byte) { r.sent.Add(1) })
	return r
}

func (o Options) withDefaults() Options {
	if o.WriteWait <= 0 {
		o.WriteWait = 10 * time.Second
	}
	if o.CloseGrace <= 0 {
		o.CloseGrace = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Serve upgrades an authenticated handshake and returns once the handshake
// is done; the connection is then served on goroutines of its own. The
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
	c := &Conn{reg: r, userID: info.UserID, tokenID: info.TokenID, credential: info.Credential, data: info.Data,
		addr: addr, done: make(chan struct{}), handshake: make(chan error, 1)}
	req := gc.Request.WithContext(withConn(gc.Request.Context(), c))
	w := gc.Writer
	// melody serves a connection on the goroutine that upgrades it. That is
	// a fresh one, not the handler's — whose stack is deep after routing,
	// authentication and a database lookup — so that the handler can return
	// once the handshake is done and an idle connection holds only shallow
	// stacks. No keys map: the Conn travels in the request's context, which
	// saves a map per connection.
	go func() {
		err := r.m.HandleRequestWithKeys(w, req, nil)
		c.handshakeDone(err) // a failed upgrade; after a served connection a no-op
	}()
	err := <-c.handshake
	if err != nil {
		c.releaseSlot()
	}
	if errors.Is(err, melody.ErrClosed) {
		handshakeError(w, req, http.StatusServiceUnavailable, nil)
		return ErrClosed
	}
	return err
}

// Stats returns the Registry's counters.
func (r *Registry) Stats() Stats {
	r.mu.RLock()
	n := len(r.conns)
	r.mu.RUnlock()
	return Stats{Conns: n, Sent: r.sent.Load(), DroppedSlow: r.dropped.Load()}
}

// connOf returns the Conn of a session, nil once it has ended.
func (r *Registry) connOf(s *melody.Session) *Conn {
	v, _ := r.sessions.Load(s)
	c, _ := v.(*Conn)
	return c
}

func (r *Registry) handleConnect(s *melody.Session) {
	c := connFrom(s.Request.Context())
	c.sess = s
	r.sessions.Store(s, c)
	// The request is not needed after the handshake; dropping it frees its
	// headers and context for the connection's lifetime.
	s.Request = nil
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		c.Close(CloseShutdown, "server shutting down")
		c.handshakeDone(nil)
		return
	}
	r.indexLocked(c)
	r.mu.Unlock()
	c.handshakeDone(nil)
	if r.opts.OnConnect != nil {
		r.opts.OnConnect(c)
	}
}

func (r *Registry) handleDisconnect(s *melody.Session) {
	c := r.connOf(s)
	r.sessions.Delete(s)
	c.closing.Store(true)
	c.releaseSlot()
	r.mu.Lock()
	r.unindexLocked(c)
	r.mu.Unlock()
	close(c.done)
	if r.opts.OnClose != nil {
		r.opts.OnClose(c)
	}
}

func (r *Registry) handleMessage(s *melody.Session, msg []byte) {
	if c := r.connOf(s); c != nil && !c.closing.Load() && r.opts.OnMessage != nil {
		r.opts.OnMessage(c, msg)
	}
}

// handleError is melody's error hook. melody reports a full send buffer here,
// synchronously from the sender, and otherwise drops the frame silently while
// the session stays open: the Registry drops the connection instead. It takes
// no lock of the Registry, since senders hold its read lock.
func (r *Registry) handleError(s *melody.Session, err error) {
	if errors.Is(err, websocket.ErrReadLimit) {
		lingerClose(s.WebsocketConnection())
		return
	}
	if !errors.Is(err, melody.ErrMessageBufferFull) {
		return
	}
	c := r.connOf(s)
	if c == nil {
		return
	}
	if c.closing.CompareAndSwap(false, true) {
		r.dropped.Add(1)
		r.log.Warn("websocket: dropping a connection that does not keep up", "user_id", c.userID, "buffer", r.opts.SendBuffer)
	}
	c.drop(CloseSlow, "send buffer full")
}

// Bounds of lingerClose.
const (
	lingerWait = time.Second
	lingerMax  = 1 << 20
)

// lingerClose runs on the reading goroutine after a frame over the size
// limit; the reader has already sent the 1009 close frame. The peer is still
// sending the rest of the frame, and closing a socket with unread data sends
// a reset, which can destroy the close frame before the peer reads it. So the
// rest is read and discarded until the peer closes in turn (it answers the
// close frame) or the bounds are reached; melody closes the socket next.
func lingerClose(ws *websocket.Conn) {
	nc := ws.NetConn()
	_ = nc.SetReadDeadline(time.Now().Add(lingerWait))
	_, _ = io.Copy(io.Discard, io.LimitReader(nc, lingerMax))
}
