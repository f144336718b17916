package ntfy

import (
	"context"
	"time"

	"github.com/belfry/belfry/app/ws"
	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"
)

// socketSink is the sink of a /<topic>/ws subscription: its connection's
// byte-bounded queue (ws.Conn.Send), which drops the connection when the
// client falls too far behind.
// Its conn is set when the connection opens, before the subscription
// joins the live ones.
type socketSink struct{ conn *ws.Conn }

func (k *socketSink) send(frame []byte) bool { return k.conn.Send(frame) }

func (k *socketSink) end(why endReason) {
	switch why {
	case endRevoked:
		k.conn.Close(ws.CloseRevoked, "token revoked")
	case endShutdown:
		k.conn.Close(ws.CloseShutdown, "server restart")
	default:
		k.conn.Close(ws.CloseSlow, "too far behind")
	}
}

// backlogTimeout bounds the database reads of a socket's backlog.
const backlogTimeout = 10 * time.Second

// handleSocket is GET /<topic>/ws: ntfy's WebSocket subscription, the same
// events as /<topic>/json, one text frame each. What the client sends is
// ignored. A refused subscription is answered before the upgrade, in
// ntfy's error JSON.
func (s *Service) handleSocket(c *gin.Context) {
	q, err := s.subscription(c, "ws")
	if err != nil {
		writeError(c, err)
		return
	}
	info := ws.ConnInfo{UserID: q.user.ID, Presented: true, Data: s.newSub(q, c.Param("topic"), &socketSink{})}
	if q.token != nil {
		info.TokenID, info.Credential = q.token.ID, q.token.ID
	}
	// Serve answers a refused handshake itself (limits, Origin, shutdown).
	_ = s.sockets.Serve(c, info)
}

// socketOpened runs on a new /<topic>/ws connection's own goroutine: it
// joins the live subscriptions, then sends the open event and the backlog,
// then what arrived meanwhile.
func (s *Service) socketOpened(conn *ws.Conn) {
	sb := conn.Data().(*sub)
	sb.out.(*socketSink).conn = conn
	if !s.live.add(sb) {
		conn.Close(ws.CloseShutdown, "server restart")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), backlogTimeout)
	defer cancel()
	items, last, err := s.backlog(ctx, sb.q)
	if err != nil {
		s.log.Error("ntfy subscription: read the backlog", "user_id", sb.userID, "err", err)
		conn.Close(websocket.CloseInternalServerErr, "internal error")
		return
	}
	conn.Replay(sb.opened())
	for _, it := range items {
		conn.Replay(sb.backlog(it.answer, it.read))
	}
	sb.start(last)
}

// socketClosed takes an ended connection's subscription out of the live
// ones.
func (s *Service) socketClosed(conn *ws.Conn) { s.live.remove(conn.Data().(*sub)) }
