package ws

import (
	"errors"
	"io"
	"net"
	"time"

	"github.com/gorilla/websocket"
)

// serve is the connection's goroutine, for its whole life: it reads the
// client's frames and hands text frames to OnMessage, keeps the read
// deadline that reaps a peer which stops answering pings, and cleans up
// once the connection ends.
func (c *Conn) serve() {
	o := &c.reg.opts
	pongWait := o.PingPeriod * 3 / 2
	c.ws.SetReadLimit(int64(o.MaxMessageBytes))
	_ = c.ws.SetReadDeadline(time.Now().Add(pongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(pongWait)) })
	// Armed only once assigned, so that ping sees the timer.
	c.pinger = time.AfterFunc(time.Hour, c.ping)
	c.pinger.Reset(o.PingPeriod)
	defer c.end()
	if o.OnConnect != nil {
		o.OnConnect(c)
	}
	for {
		typ, msg, err := c.ws.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				lingerClose(c.nc)
			}
			return
		}
		if typ == websocket.TextMessage && !c.closing.Load() && o.OnMessage != nil {
			o.OnMessage(c, msg)
		}
	}
}

// ping queues a keep-alive ping and arms the next one.
func (c *Conn) ping() {
	c.mu.Lock()
	if c.closing.Load() {
		c.mu.Unlock()
		return
	}
	c.q.pushPing()
	start := c.q.claimWriter()
	c.mu.Unlock()
	if start {
		go c.write()
	}
	c.pinger.Reset(c.reg.opts.PingPeriod)
}

// end runs once the connection is over: it leaves the indexes and the
// limits, closes the network connection (which ends a writer still
// running) and lets the waiting frames go.
func (c *Conn) end() {
	c.closing.Store(true)
	c.pinger.Stop()
	c.releaseSlot()
	r := c.reg
	r.mu.Lock()
	r.unindexLocked(c)
	r.mu.Unlock()
	_ = c.nc.Close()
	c.mu.Lock()
	c.q.discard()
	c.mu.Unlock()
	close(c.done)
	if r.opts.OnClose != nil {
		r.opts.OnClose(c)
	}
}

// Bounds of lingerClose, and of the wait for the peer's answer to a close
// frame.
const (
	lingerWait = time.Second
	lingerMax  = 1 << 20
)

// lingerClose runs on the reading goroutine after a frame over the size
// limit; the reader has already sent the 1009 close frame. The peer is still
// sending the rest of the frame, and closing a socket with unread data sends
// a reset, which can destroy the close frame before the peer reads it. So the
// rest is read and discarded until the peer closes in turn (it answers the
// close frame) or the bounds are reached; the connection is closed next.
func lingerClose(nc net.Conn) {
	_ = nc.SetReadDeadline(time.Now().Add(lingerWait))
	_, _ = io.Copy(io.Discard, io.LimitReader(nc, lingerMax))
}
