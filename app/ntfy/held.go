package ntfy

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// held is the sink of a held-open HTTP subscription (/<topic>/json, /sse,
// /raw) once its handler has returned: the connection, taken over from the
// HTTP server (hijacked) so that an idle subscription holds one shallow
// goroutine — its reader, which notices the client leaving — and no
// buffers. Frames queue here, bounded in bytes; a writer goroutine, started
// when a frame waits and gone when none does, writes them as HTTP chunks.
type held struct {
	conn    net.Conn
	max     int
	timeout time.Duration
	gone    func(slow bool) // runs once, when the connection has closed

	mu      sync.Mutex
	queue   [][]byte
	bytes   int
	writing bool
	ended   bool
	once    sync.Once
}

func (h *held) send(frame []byte) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ended || h.bytes+len(frame) > h.max {
		return false
	}
	h.queue = append(h.queue, frame)
	h.bytes += len(frame)
	if !h.writing && h.conn != nil {
		h.writing = true
		go h.write()
	}
	return true
}

// take gives h the connection, the handler being its writer until
// release; false (and the connection closed) when h already ended.
func (h *held) take(conn net.Conn) bool {
	h.mu.Lock()
	h.conn, h.writing = conn, true
	ended := h.ended
	h.mu.Unlock()
	if ended {
		h.close(false)
	}
	return !ended
}

// release ends the handler's writing: a writer goroutine takes over what
// queued meanwhile.
func (h *held) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.queue) > 0 || h.ended {
		go h.write()
		return
	}
	h.writing = false
}

// end ends the response after what is queued: the last chunk, then the
// connection closes.
func (h *held) end(endReason) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ended {
		return
	}
	h.ended = true
	if !h.writing && h.conn != nil {
		h.writing = true
		go h.write()
	}
}

// write writes the queue until it is empty, then, once ended, the last
// chunk.
func (h *held) write() {
	for {
		h.mu.Lock()
		q, ended := h.queue, h.ended
		h.queue, h.bytes = nil, 0
		if len(q) == 0 && !ended {
			h.writing = false
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
		if len(q) > 0 {
			if err := writeChunks(h.conn, h.timeout, q); err != nil {
				h.close(isTimeout(err))
				return
			}
			continue
		}
		_ = h.conn.SetWriteDeadline(time.Now().Add(h.timeout))
		_, _ = h.conn.Write([]byte("0\r\n\r\n"))
		h.close(false)
		return
	}
}

// read waits for the client to leave (or send anything: a subscription
// takes no request after it) and closes the connection.
func (h *held) read() {
	var b [1]byte
	_, _ = h.conn.Read(b[:])
	h.mu.Lock()
	h.ended = true
	h.mu.Unlock()
	h.close(false)
}

func (h *held) close(slow bool) {
	h.once.Do(func() {
		if h.conn != nil {
			_ = h.conn.Close()
		}
		h.gone(slow)
	})
}

// writeChunks writes frames as one HTTP chunk each, in one system call,
// bounded by timeout.
func writeChunks(conn net.Conn, timeout time.Duration, frames [][]byte) error {
	bufs := make(net.Buffers, 0, 3*len(frames))
	for _, f := range frames {
		bufs = append(bufs, []byte(strconv.FormatInt(int64(len(f)), 16)+"\r\n"), f, []byte("\r\n"))
	}
	if err := conn.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	_, err := bufs.WriteTo(conn)
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// backlogBatch is how many frames of a backlog one write carries.
const backlogBatch = 64

// hold serves a held-open subscription: the open event, the backlog from
// since= (none without it), then every new message and event until the
// client goes, its credentials are revoked, it falls too far behind or the
// server shuts down. The handler writes the head and the backlog itself,
// then hands the connection to a held sink and returns.
func (s *Service) hold(c *gin.Context, q subscription) {
	h := &held{max: s.d.Stream.WebSocket.MaxQueuedBytes, timeout: s.d.Stream.WebSocket.WriteTimeout.Duration}
	sb := s.newSub(q, c.Param("topic"), h)
	h.gone = func(slow bool) {
		s.live.remove(sb)
		if slow {
			sb.stop(endSlow)
		}
	}
	if !s.live.add(sb) {
		writeError(c, errUnavailable.wrap("the server is shutting down; subscribe again shortly"))
		return
	}
	items, last, err := s.backlog(c.Request.Context(), q)
	if err != nil {
		s.live.remove(sb)
		writeError(c, err)
		return
	}
	conn, rw, err := c.Writer.Hijack()
	if err != nil {
		s.live.remove(sb)
		writeError(c, err)
		return
	}
	if !h.take(conn) {
		return
	}
	frames := [][]byte{sb.opened()}
	err = writeHead(conn, rw, c.Writer.Header(), contentTypes[q.format], h.timeout)
	for i := 0; err == nil && i <= len(items); i++ {
		if i < len(items) {
			frames = append(frames, sb.backlog(items[i].answer, items[i].read))
		}
		if len(frames) == backlogBatch || (i == len(items) && len(frames) > 0) {
			err = writeChunks(conn, h.timeout, frames)
			frames = frames[:0]
		}
	}
	if err != nil {
		h.close(isTimeout(err))
		return
	}
	sb.start(last)
	h.release()
	go h.read()
}

// writeHead writes the response's status line and headers (those the
// middleware set, and the stream's), for a chunked body that ends with the
// connection.
func writeHead(conn net.Conn, rw *bufio.ReadWriter, header http.Header, contentType string, timeout time.Duration) error {
	header = header.Clone()
	header.Set("Content-Type", contentType)
	header.Set("Cache-Control", "no-cache")
	header.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	header.Set("Transfer-Encoding", "chunked")
	header.Set("Connection", "close")
	if err := conn.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	if _, err := rw.WriteString("HTTP/1.1 200 OK\r\n"); err != nil {
		return err
	}
	if err := header.Write(rw); err != nil {
		return err
	}
	if _, err := rw.WriteString("\r\n"); err != nil {
		return err
	}
	return rw.Flush()
}
