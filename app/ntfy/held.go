package ntfy

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// held is the sink of a held-open HTTP subscription (/<topic>/json, /sse,
// /raw): frames queue here, bounded in bytes, and the request's own
// goroutine writes them. Nothing is allocated for the queue until a frame
// waits.
type held struct {
	max  int
	wake chan struct{} // a frame waits
	done chan struct{} // closed by end

	mu    sync.Mutex
	queue [][]byte
	bytes int
	once  sync.Once
}

func newHeld(maxBytes int) *held {
	return &held{max: maxBytes, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

func (h *held) send(frame []byte) bool {
	h.mu.Lock()
	if h.bytes+len(frame) > h.max {
		h.mu.Unlock()
		return false
	}
	h.queue = append(h.queue, frame)
	h.bytes += len(frame)
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
	return true
}

func (h *held) end(endReason) { h.once.Do(func() { close(h.done) }) }

// take returns the waiting frames and empties the queue.
func (h *held) take() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	q := h.queue
	h.queue, h.bytes = nil, 0
	return q
}

// backlogBatch is how many frames of a backlog one write carries.
const backlogBatch = 64

// responseWriter writes frames to a held-open response, each batch
// flushed, bounded by the write timeout: a client that takes none of it
// for that long is cut.
type responseWriter struct {
	w       gin.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

func newResponseWriter(w gin.ResponseWriter, timeout time.Duration) *responseWriter {
	return &responseWriter{w: w, rc: http.NewResponseController(w), timeout: timeout}
}

// write writes frames and flushes them; false when the client is gone or
// too slow.
func (r *responseWriter) write(frames ...[]byte) bool {
	if err := r.rc.SetWriteDeadline(time.Now().Add(r.timeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return false
	}
	for _, f := range frames {
		if _, err := r.w.Write(f); err != nil {
			return false
		}
	}
	if err := r.rc.Flush(); err != nil {
		return false
	}
	err := r.rc.SetWriteDeadline(time.Time{})
	return err == nil || errors.Is(err, http.ErrNotSupported)
}

// hold serves a held-open subscription: the open event, the backlog from
// since= (none without it), then every new message and event until the
// client goes, its credentials are revoked, it falls too far behind or the
// server shuts down.
func (s *Service) hold(c *gin.Context, q subscription) {
	h := newHeld(s.d.Stream.WebSocket.MaxQueuedBytes)
	sb := s.newSub(q, c.Param("topic"), h)
	if !s.live.add(sb) {
		writeError(c, errUnavailable.wrap("the server is shutting down; subscribe again shortly"))
		return
	}
	defer s.live.remove(sb)
	ctx := c.Request.Context()
	items, last, err := s.backlog(ctx, q)
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("Content-Type", contentTypes[q.format])
	c.Header("Cache-Control", "no-cache")
	c.Header("X-Accel-Buffering", "no") // nginx: pass each event on at once
	c.Status(http.StatusOK)
	w := newResponseWriter(c.Writer, s.d.Stream.WebSocket.WriteTimeout.Duration)
	frames := [][]byte{sb.opened()}
	for i, it := range items {
		frames = append(frames, sb.backlog(it.answer, it.read))
		if len(frames) == backlogBatch || i == len(items)-1 {
			if !w.write(frames...) {
				return
			}
			frames = frames[:0]
		}
	}
	if len(frames) > 0 && !w.write(frames...) {
		return
	}
	sb.start(last)
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
			if !w.write(h.take()...) {
				sb.stop(endSlow)
				return
			}
		case <-h.done:
			return
		}
	}
}
