package ws

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// WebSocket close codes the hub sends (RFC 6455 §7.4.1). Browser clients
// such as htmx's ws extension reconnect after 1012 and 1013 but not after
// 1008, which is what each situation wants.
const (
	// CloseSlow ends a socket that does not keep up ("try again later").
	CloseSlow = websocket.CloseTryAgainLater
	// CloseShutdown is sent to every socket when the server stops.
	CloseShutdown = websocket.CloseServiceRestart
	// CloseRevoked ends the sockets of a deleted or signed-out user.
	CloseRevoked = websocket.ClosePolicyViolation
)

// abortWait bounds the attempt to send a close frame to a socket that is being
// dropped; the connection is closed right after, delivered or not.
const abortWait = 100 * time.Millisecond

// Conn is one live WebSocket connection of a Registry: an authenticated user
// and whatever state the endpoint keeps for it (Data). Its methods are safe
// for concurrent use and never block on the peer.
type Conn struct {
	reg        *Registry
	ws         *websocket.Conn // set before the Conn is indexed
	nc         *batchConn      // ws's network connection
	userID     string
	tokenID    string
	credential string // what authenticated the handshake, see ConnInfo
	presented  bool   // the credential came in the request, see ConnInfo
	data       any
	addr       string    // the client address its Limits slot counts
	released   sync.Once // the slot is given back once

	subs map[string]struct{} // guarded by reg.mu

	mu sync.Mutex // guards q
	q  queue

	closing atomic.Bool // no more sends: closed, being closed or dropped
	abort   sync.Once
	pinger  *time.Timer
	done    chan struct{} // closed once the connection has ended
}

// releaseSlot gives back the connection's slot in the Limits, once: when
// the handshake fails or the connection has ended.
func (c *Conn) releaseSlot() {
	c.released.Do(func() { c.reg.opts.Limits.release(c.addr) })
}

// UserID is the id of the authenticated user.
func (c *Conn) UserID() string { return c.userID }

// TokenID is the id of the API token the handshake used, "" for a browser
// session.
func (c *Conn) TokenID() string { return c.tokenID }

// Data is the endpoint state given in ConnInfo.Data.
func (c *Conn) Data() any { return c.data }

// Done is closed once the connection has ended and left the indexes.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Send queues msg as a text frame behind the frames already queued, so the
// frames of one sender arrive in order. It never blocks. When the queue
// would pass Options.MaxQueuedBytes and coalescing cannot make room (see
// SendCoalescing), the connection is dropped — closed with CloseSlow and
// counted in Stats.DroppedSlow — and Send reports false, as it does for a
// connection that is closing. msg must not be modified afterwards: it may
// be shared by many connections.
func (c *Conn) Send(msg []byte) bool {
	return c.enqueue(outFrame{msg: msg})
}

// SendCoalescing is Send for a frame that a client which fell behind may
// miss, provided it gets catchUp instead: when the queue passes
// Options.MaxQueuedBytes, every frame sent this way that is still waiting
// gives way to the catch-up frame of the last of them, in that one's place.
// Frames sent otherwise keep their places, so nothing is reordered, and the
// client ends with the latest catch-up frame's state. The hub sends each
// notification frame this way with a reload frame carrying the same count.
func (c *Conn) SendCoalescing(msg, catchUp []byte) bool {
	return c.enqueue(outFrame{msg: msg, catchUp: catchUp})
}

// Replay is Send for a frame of a backlog that the endpoint bounds itself
// (a channel's replay, at most replayBudget events per connection): it
// waits in the queue like any frame but does not count against
// Options.MaxQueuedBytes, so a client catching up never looks slow.
func (c *Conn) Replay(msg []byte) bool {
	return c.enqueue(outFrame{msg: msg, exempt: true})
}

// enqueue adds f to the queue and starts the writer if none runs.
func (c *Conn) enqueue(f outFrame) bool {
	if c.closing.Load() {
		return false
	}
	c.mu.Lock()
	if c.closing.Load() {
		c.mu.Unlock()
		return false
	}
	fits, coalesced := c.q.push(f, c.reg.opts.MaxQueuedBytes)
	if coalesced > 0 {
		c.reg.coalesced.Add(uint64(coalesced))
	}
	if !fits {
		queued := c.q.bytes
		c.mu.Unlock()
		c.dropSlow("queued bytes passed websocket.max_queued_bytes", "queued_bytes", queued)
		return false
	}
	start := c.q.claimWriter()
	c.mu.Unlock()
	if start {
		go c.write()
	}
	return true
}

// Close sends a close frame with code and reason behind the frames already
// queued; the connection ends once the peer answers it (or shortly after it
// was written). Closing twice is harmless.
func (c *Conn) Close(code int, reason string) {
	c.mu.Lock()
	if !c.closing.CompareAndSwap(false, true) {
		c.mu.Unlock()
		return
	}
	c.q.pushClose(websocket.FormatCloseMessage(code, reason))
	start := c.q.claimWriter()
	c.mu.Unlock()
	if start {
		go c.write()
	}
}

// dropSlow drops a connection that does not keep up; it is counted and
// logged once, whatever else was closing it.
func (c *Conn) dropSlow(why string, args ...any) {
	c.closing.Store(true)
	c.abort.Do(func() {
		c.reg.dropped.Add(1)
		c.reg.log.Warn("websocket: dropping a connection that does not keep up",
			append([]any{"user_id", c.userID, "why", why}, args...)...)
		c.cut(CloseSlow, "too slow")
	})
}

// drop closes the network connection without waiting for queued frames,
// after trying briefly to tell the peer why. It does not block the caller.
func (c *Conn) drop(code int, reason string) {
	c.closing.Store(true)
	c.abort.Do(func() { c.cut(code, reason) })
}

// cut sends a close frame if it can go out within abortWait and closes the
// network connection, which ends the reader and the writer.
func (c *Conn) cut(code int, reason string) {
	msg := websocket.FormatCloseMessage(code, reason)
	stop := time.AfterFunc(abortWait, func() { _ = c.nc.Close() })
	go func() {
		// WriteControl may run beside the writer; it waits for the
		// writer's lock at most until the deadline.
		_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(abortWait))
		stop.Stop()
		_ = c.nc.Close()
	}()
}

// abortHandshake ends a connection upgraded while the Registry closed.
func (c *Conn) abortHandshake() {
	c.closing.Store(true)
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(CloseShutdown, "server shutting down"), time.Now().Add(abortWait))
	_ = c.nc.Close()
	c.releaseSlot()
	close(c.done)
}
