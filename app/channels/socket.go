package channels

import (
	"encoding/json"
	"strings"
	"sync"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/belfry/belfry/app/ws"
	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

const (
	// maxSubscriptions bounds the subscriptions of one socket.
	maxSubscriptions = 256
	// Client frames beyond this rate per socket are refused: a subscribe
	// reads the database, and a socket must not be a way to flood it. The
	// burst lets a client subscribe to many channels at once on connecting.
	inboundRate  = 20
	inboundBurst = 100
)

// socket is the endpoint's state of one connection (ws.Conn.Data).
type socket struct {
	user    *app.User
	limiter *rate.Limiter

	// mu guards subs, the socket's side of its registry subscriptions (for
	// counting and limits), replayed and closed. Lock order: a stream's
	// lock, then mu, then the registry's.
	mu       sync.Mutex
	subs     map[string]struct{}
	replayed int // events replayed on this connection, see replayBudget
	closed   bool
}

// clientFrame is any frame a client sends; Type says which fields matter.
type clientFrame struct {
	Type      string `json:"type"`
	Channel   string `json:"channel"`
	Since     *int64 `json:"since"`
	ChannelID string `json:"channel_id"`
	IsTyping  *bool  `json:"is_typing"`
}

// controlFrame is every frame that is not an event: subscribed,
// unsubscribed and error.
type controlFrame struct {
	Type    string `json:"type"`
	Channel string `json:"channel,omitempty"`
	Seq     *int64 `json:"seq,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

func encodeControl(f controlFrame) []byte {
	b, _ := json.Marshal(f) // strings and an int only
	return b
}

// subscribedFrame confirms a subscription; seq, on a channel stream, is the
// number of the channel's latest event when the subscription began.
func subscribedFrame(stream string, seq *int64) []byte {
	return encodeControl(controlFrame{Type: "subscribed", Channel: stream, Seq: seq})
}

func unsubscribedFrame(stream, reason string) []byte {
	return encodeControl(controlFrame{Type: "unsubscribed", Channel: stream, Reason: reason})
}

// errorFrame reports err about stream ("" when the frame named none).
func errorFrame(stream string, err error) []byte {
	return encodeControl(controlFrame{Type: "error", Channel: stream, Code: app.ErrorCode(err), Message: app.ErrorMessage(err)})
}

// handleSocket upgrades an authenticated handshake; RequireUser has
// answered anonymous ones with 401.
func (s *Service) handleSocket(c *gin.Context) {
	u := web.UserFrom(c)
	if u == nil {
		web.WriteError(c, app.Errorf(app.EUNAUTHENTICATED, "Authentication required: log in or send an API token."))
		return
	}
	sock := &socket{user: u, limiter: rate.NewLimiter(inboundRate, inboundBurst), subs: map[string]struct{}{}}
	info := ws.ConnInfo{UserID: u.ID, Data: sock}
	if t := web.TokenFrom(c); t != nil {
		info.TokenID = t.ID
	}
	// Revoking the token, or logging out of the session, closes the socket.
	info.Credential = web.CredentialFrom(c)
	if err := s.reg.Serve(c, info); err != nil {
		s.log.Debug("channels: websocket handshake refused", "user_id", u.ID, "err", err)
	}
}

// handleMessage serves one client frame, on the socket's own goroutine.
func (s *Service) handleMessage(c *ws.Conn, msg []byte) {
	sock := c.Data().(*socket)
	var f clientFrame
	err := json.Unmarshal(msg, &f)
	if !sock.limiter.Allow() {
		// Typing indicators are best effort; anything else is refused
		// aloud. A client that keeps flooding without reading fills its
		// send queue with these and is disconnected as too slow.
		if f.Type != "typing" {
			c.Send(errorFrame(f.Channel, app.Errorf(app.ERATELIMIT, "Too many frames: this one was ignored; slow down.")))
		}
		return
	}
	if err != nil {
		c.Send(errorFrame("", app.Errorf(app.EINVALID, "Frames must be JSON objects with a type: subscribe, unsubscribe or typing.")))
		return
	}
	switch f.Type {
	case "subscribe":
		s.subscribe(c, sock, f)
	case "unsubscribe":
		s.unsubscribe(c, f)
	case "typing":
		s.handleTyping(c, sock, f)
	default:
		c.Send(errorFrame("", app.Errorf(app.EINVALID, "Unknown frame type %q: expected subscribe, unsubscribe or typing.", f.Type)))
	}
}

// handleClose forgets a socket's subscriptions; the registry has already
// removed it from its indexes.
func (s *Service) handleClose(c *ws.Conn) {
	sock := c.Data().(*socket)
	sock.mu.Lock()
	defer sock.mu.Unlock()
	sock.closed = true
	s.subscriptions.Add(-int64(len(sock.subs)))
	sock.subs = nil
}

// addSubscription subscribes c to stream. It reports false, without error,
// when c already was subscribed.
func (s *Service) addSubscription(c *ws.Conn, stream string) (bool, error) {
	sock := c.Data().(*socket)
	sock.mu.Lock()
	defer sock.mu.Unlock()
	if _, ok := sock.subs[stream]; ok {
		return false, nil
	}
	if len(sock.subs) >= maxSubscriptions {
		return false, app.Errorf(app.ERATELIMIT, "A socket may hold at most %d subscriptions.", maxSubscriptions)
	}
	if sock.closed || !s.reg.Subscribe(c, stream) {
		return false, app.Errorf(app.EINVALID, "The socket is closing.")
	}
	sock.subs[stream] = struct{}{}
	s.subscriptions.Add(1)
	return true, nil
}

// removeSubscription unsubscribes c from stream and reports whether it was
// subscribed.
func (s *Service) removeSubscription(c *ws.Conn, stream string) bool {
	sock := c.Data().(*socket)
	sock.mu.Lock()
	defer sock.mu.Unlock()
	if _, ok := sock.subs[stream]; !ok {
		return false
	}
	delete(sock.subs, stream)
	s.reg.Unsubscribe(c, stream)
	s.subscriptions.Add(-1)
	return true
}

// parseStream splits a subscription name into its kind ("global",
// "channel" or "user") and id, and returns it in canonical form.
func parseStream(name string) (kind, id, canonical string, err error) {
	if name == GlobalStream {
		return GlobalStream, "", name, nil
	}
	kind, id, _ = strings.Cut(name, ":")
	id, perr := app.ParseID(id)
	if (kind != "channel" && kind != "user") || perr != nil {
		return "", "", "", app.Errorf(app.EINVALID, `Channel must be "global", "channel:<channel id>" or "user:<your user id>", not %q.`, name)
	}
	return kind, id, kind + ":" + id, nil
}
