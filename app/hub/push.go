package hub

import (
	"context"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ws"
)

// jobKind is what a user's worker is asked to do.
type jobKind uint8

const (
	// jobChange pushes one change to every socket of the user.
	jobChange jobKind = iota
	// jobRefresh is a trailing refresh due for one socket.
	jobRefresh
	// jobResync replaces changes dropped from an overflowing queue: every
	// socket gets a reload with the current count.
	jobResync
)

// job is one unit of a user's worker.
type job struct {
	kind   jobKind
	change app.Change
	storm  bool      // the user was in a storm when the change arrived
	at     time.Time // when the change arrived or the refresh fell due
	conn   *ws.Conn  // jobRefresh: the socket
	seq    uint64    // jobRefresh: which pending refresh
}

// process is a user's worker: it reads the unread count once for the batch
// — so every frame carries the count as it is now — and sends the frames in
// order.
func (h *Hub) process(userID string, jobs []job) {
	conns := h.reg.UserConns(userID)
	if len(conns) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(h.ctx, opTimeout)
	n, err := h.d.Notifications.UnreadCountUpTo(ctx, userID, countCap)
	cancel()
	if err != nil {
		if h.ctx.Err() == nil {
			h.log.Error("websocket: read unread count", "user_id", userID, "err", err)
		}
		return
	}
	count := countValue(n)
	// Every frame of the batch carries count; a socket that falls behind
	// gets this reload with it instead of the frames it missed.
	catchUp := encodeNotification(count, true, nil)
	for _, j := range jobs {
		switch j.kind {
		case jobChange:
			h.pushChange(conns, j, count, catchUp)
		case jobRefresh:
			h.pushRefresh(j, catchUp)
		case jobResync:
			for _, c := range conns {
				h.reloaded(c)
				c.SendCoalescing(catchUp, catchUp)
			}
		}
	}
}

// shape returns what a change looks like on the wire before any storm
// backoff: whether the widget reloads and the toast, if any.
func shape(j job) (reload bool, t *toast) {
	switch j.change.Kind {
	case app.ChangeCreated:
		if j.change.Toast && !j.storm && j.change.Notification != nil {
			t = newToast(j.change.Notification)
		}
		return true, t
	case app.ChangeRead, app.ChangeAcknowledged:
		return false, nil
	default: // deleted, read-all, deleted-read
		return true, nil
	}
}

// pushChange sends j to every socket, each with its own storm backoff. A
// frame is encoded at most twice, whatever the number of sockets: as
// shaped, and with its reload held back.
func (h *Hub) pushChange(conns []*ws.Conn, j job, count any, catchUp []byte) {
	reload, t := shape(j)
	var shaped, held []byte
	for _, c := range conns {
		if !reload || h.admitReload(c, j) {
			if shaped == nil {
				shaped = encodeNotification(count, reload, t)
			}
			c.SendCoalescing(shaped, catchUp)
			continue
		}
		if held == nil {
			held = encodeNotification(count, false, t)
		}
		c.SendCoalescing(held, catchUp)
	}
}

// admitReload decides whether c gets a reload for j now. Outside a storm it
// always does; in one, its throttle decides, and a held-back reload arms the
// socket's trailing refresh for when the hold ends.
func (h *Hub) admitReload(c *ws.Conn, j job) bool {
	s := c.Data().(*socket)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !j.storm || s.throttle.admit(j.at, h.storm) {
		s.throttle.disarm()
		return true
	}
	seq := s.throttle.arm()
	userID := c.UserID()
	s.throttle.timer = h.clock.AfterFunc(max(s.throttle.holdUntil.Sub(h.clock.Now()), 0), func() {
		h.queues.enqueue(userID, job{kind: jobRefresh, conn: c, seq: seq, at: h.clock.Now()})
	})
	return false
}

// reloaded notes that c gets a reload outside the throttle's decisions.
func (h *Hub) reloaded(c *ws.Conn) {
	s := c.Data().(*socket)
	s.mu.Lock()
	s.throttle.disarm()
	s.mu.Unlock()
}

// pushRefresh sends a trailing refresh if it is still the pending one: a
// reload that reached the socket since has made it unnecessary.
func (h *Hub) pushRefresh(j job, reload []byte) {
	s := j.conn.Data().(*socket)
	s.mu.Lock()
	due := s.throttle.due(j.seq, j.at, h.storm)
	s.mu.Unlock()
	if due {
		j.conn.SendCoalescing(reload, reload)
	}
}
