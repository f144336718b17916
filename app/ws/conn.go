package ws

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/olahol/melody"
)

// WebSocket close codes the hub sends (RFC 6455 §7.4.1). Browser clients
// such as htmx's ws extension reconnect after 1012 and 1013 but not after
// 1008, which is what each situation wants.
const (
	// CloseSlow ends a socket whose send buffer filled up ("try again later").
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
	sess       *melody.Session // set before the Conn is indexed
	userID     string
	tokenID    string
	credential string // what authenticated the handshake, see ConnInfo
	data       any
	addr       string    // the client address its Limits slot counts
	released   sync.Once // the slot is given back once

	subs map[string]struct{} // guarded by reg.mu

	closing   atomic.Bool // no more sends: closed, being closed or dropped
	abort     sync.Once
	done      chan struct{} // closed once the connection has ended
	handshake chan error    // Serve's result: the upgrade's outcome
	signalled sync.Once
}

// handshakeDone reports the outcome of the upgrade to Serve, once.
func (c *Conn) handshakeDone(err error) {
	c.signalled.Do(func() { c.handshake <- err })
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
// frames of one sender arrive in order. It never blocks: when the send
// buffer is full the connection is dropped (closed with CloseSlow and
// counted in Stats.DroppedSlow) and Send reports false, as it does for a
// connection that is closing. msg must not be modified afterwards.
func (c *Conn) Send(msg []byte) bool {
	if c.closing.Load() {
		return false
	}
	if err := c.sess.Write(msg); err != nil {
		return false
	}
	// melody reports a full buffer synchronously to the error handler,
	// which marks the connection closing (see Registry.handleError).
	return !c.closing.Load()
}

// Close sends a close frame with code and reason behind the frames already
// queued; the connection ends once it is written. If the buffer is full the
// connection is closed at once. Closing twice is harmless.
func (c *Conn) Close(code int, reason string) {
	if !c.closing.CompareAndSwap(false, true) {
		return
	}
	// A full buffer reaches the error handler, which aborts the connection.
	_ = c.sess.CloseWithMsg(melody.FormatCloseMessage(code, reason))
}

// drop closes the network connection without waiting for queued frames,
// after trying briefly to tell the peer why. It does not block the caller.
func (c *Conn) drop(code int, reason string) {
	c.closing.Store(true)
	c.abort.Do(func() {
		ws := c.sess.WebsocketConnection()
		go func() {
			// WriteControl may run beside melody's writer; it waits for the
			// writer's lock at most until the deadline.
			_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(abortWait))
			_ = ws.Close()
		}()
	})
}
