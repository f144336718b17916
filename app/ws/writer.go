package ws

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Sizes of the writer's batches.
const (
	// batchBytes bounds the frames one batch takes from the queue.
	batchBytes = 64 << 10
	// flushBytes is the buffer a batch is written from: one system call
	// per flushBytes at most.
	flushBytes = 16 << 10
)

// writeBuffers lends gorilla the buffer it frames a message in, only while
// it writes one; flushBuffers lend the batches theirs.
var (
	writeBuffers = &sync.Pool{}
	flushBuffers = sync.Pool{New: func() any { b := make([]byte, 0, flushBytes); return &b }}
)

// write is a connection's writer: it runs while frames wait, takes them in
// batches of up to Options.SendBuffer frames and writes each batch in as few
// system calls as its size allows, then ends.
func (c *Conn) write() {
	o := &c.reg.opts
	maxBytes := max(min(batchBytes, o.MaxQueuedBytes/2), 1)
	var batch []outFrame
	for {
		c.mu.Lock()
		batch = c.q.take(batch, o.SendBuffer, maxBytes)
		c.mu.Unlock()
		if len(batch) == 0 {
			putFrames(batch)
			return
		}
		sent, err := c.writeBatch(batch)
		c.mu.Lock()
		c.q.written(batch)
		c.mu.Unlock()
		clear(batch)
		c.reg.sent.Add(sent)
		if err != nil {
			putFrames(batch)
			c.writeFailed(err)
			return
		}
	}
}

// writeBatch writes the frames of batch and returns how many text frames
// went out.
func (c *Conn) writeBatch(batch []outFrame) (sent uint64, err error) {
	deadline := time.Now().Add(c.reg.opts.WriteTimeout)
	closed := false
	c.nc.hold()
	for _, f := range batch {
		switch f.kind {
		case frameText:
			err = c.ws.WriteMessage(websocket.TextMessage, f.msg)
			sent++
		case framePing:
			err = c.ws.WriteControl(websocket.PingMessage, nil, deadline)
		case frameClose:
			err = c.ws.WriteControl(websocket.CloseMessage, f.msg, deadline)
			closed = true
		}
		if err != nil {
			break
		}
	}
	if ferr := c.nc.release(); err == nil {
		err = ferr
	}
	if err != nil {
		return 0, err
	}
	if closed {
		// The peer answers the close frame, which ends the reader; one that
		// does not is cut after lingerWait.
		_ = c.nc.SetReadDeadline(time.Now().Add(lingerWait))
	}
	return sent, nil
}

// writeFailed ends the connection after a failed write: a write that made no
// progress for the write timeout means a slow peer, anything else one that
// is gone (the reader notices and cleans up).
func (c *Conn) writeFailed(error) {
	if c.nc.timedOut() {
		c.dropSlow("a write made no progress for websocket.write_timeout", "write_timeout", c.reg.opts.WriteTimeout)
		return
	}
	c.closing.Store(true)
	_ = c.nc.Close()
}

// batchConn is the network connection under a WebSocket. While the writer
// holds it, what gorilla writes collects in a buffer that goes out in one
// system call; every write gets the write timeout, renewed whenever the peer
// takes some data, so a write fails only after making no progress for that
// long.
type batchConn struct {
	net.Conn
	timeout time.Duration

	mu       sync.Mutex
	holds    int       // the holders: the handshake (until indexed) and the writer's batch
	buf      *[]byte   // while held
	stalled  bool      // a write made no progress for the timeout
	deadline time.Time // the write deadline last set, see writeAll
}

// timedOut reports whether a write failed for making no progress. (gorilla
// hides the cause of the errors it returns.)
func (b *batchConn) timedOut() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stalled
}

// hold starts a batch. Holds nest: what is written collects until the last
// holder releases, in the order it was written.
func (b *batchConn) hold() {
	b.mu.Lock()
	if b.holds == 0 {
		b.buf = flushBuffers.Get().(*[]byte)
	}
	b.holds++
	b.mu.Unlock()
}

// release ends a hold; the last one writes what the batch collected.
func (b *batchConn) release() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.holds--; b.holds > 0 {
		return nil
	}
	err := b.flushLocked()
	flushBuffers.Put(b.buf)
	b.buf = nil
	return err
}

func (b *batchConn) flushLocked() error {
	if len(*b.buf) == 0 {
		return nil
	}
	_, err := b.writeAll(*b.buf)
	*b.buf = (*b.buf)[:0]
	return err
}

// Write collects p while the connection is held and writes it otherwise
// (a control frame the reader answers, a close frame).
func (b *batchConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf == nil {
		return b.writeAll(p)
	}
	if len(*b.buf)+len(p) > cap(*b.buf) {
		if err := b.flushLocked(); err != nil {
			return 0, err
		}
		if len(p) > cap(*b.buf) {
			return b.writeAll(p)
		}
	}
	*b.buf = append(*b.buf, p...)
	return len(p), nil
}

// writeAll writes p, with the timeout renewed while the peer makes progress.
//
// Setting a deadline re-arms a runtime timer under the poller's lock, which
// cost 4.5 % of the server's CPU at one deadline per frame (paced delivery
// to 50 sockets, 12,500 frames/s). So a write keeps the deadline already
// set while at least the timeout remains of it, and a new one gets a
// quarter more: a write fails after making no progress for between one and
// one and a quarter timeouts.
func (b *batchConn) writeAll(p []byte) (int, error) {
	written := 0
	for {
		if now := time.Now(); b.deadline.Sub(now) < b.timeout {
			b.deadline = now.Add(b.timeout + b.timeout/4)
			_ = b.Conn.SetWriteDeadline(b.deadline)
		}
		n, err := b.Conn.Write(p[written:])
		written += n
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
			return written, err
		}
		if n == 0 {
			b.stalled = true
			return written, err
		}
		b.deadline = time.Time{} // progress: renew it
	}
}

// SetWriteDeadline is ignored: every write sets its own (see writeAll).
func (b *batchConn) SetWriteDeadline(time.Time) error { return nil }

// hijacker hands gorilla's upgrader the connection wrapped in a batchConn,
// held: the handshake's answer goes out only when Serve has indexed the
// connection and releases it, so a client that has its 101 is already
// reached by every later send.
type hijacker struct {
	http.ResponseWriter
	got     func(*batchConn)
	timeout time.Duration
}

// Hijack implements http.Hijacker.
func (h hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("ws: the response writer cannot be hijacked")
	}
	nc, brw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	bc := &batchConn{Conn: nc, timeout: h.timeout}
	bc.hold()
	h.got(bc)
	return bc, brw, nil
}
