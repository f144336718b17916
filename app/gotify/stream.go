package gotify

import (
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ws"
	"github.com/gin-gonic/gin"
)

// StreamConfig configures the connections of /stream.
type StreamConfig struct {
	// BaseURL is server.base_url: a handshake with an Origin must come
	// from it (the Android app sends none, and a token needs none).
	BaseURL   string
	WebSocket app.WebSocketConfig
	// Limits bound the connections of every endpoint of the server
	// together (nil: limits of the stream's own, from WebSocket).
	Limits *ws.Limits
	Logger *slog.Logger // nil: slog.Default()
}

const (
	// streamBacklog bounds the new notifications waiting to be pushed to
	// streams. Past it a user's streams are closed as too slow: the app
	// reconnects and fetches what it missed with GET /message.
	streamBacklog = 4096
	// streamTimeout bounds the database read of each push.
	streamTimeout = 5 * time.Second
)

// stream is /stream: the registry of its connections and the queue of
// notifications to push to them.
type stream struct {
	reg     *ws.Registry
	numbers Numbers
	log     *slog.Logger
	jobs    chan *app.Notification
}

func newStream(cfg StreamConfig, numbers Numbers) *stream {
	logger := cmp.Or(cfg.Logger, slog.Default())
	return &stream{reg: ws.New(ws.Configured(cfg.BaseURL, cfg.WebSocket, cfg.Limits, logger)),
		numbers: numbers, log: logger, jobs: make(chan *app.Notification, streamBacklog)}
}

// handleStream is GET /stream: a WebSocket on which every new notification
// of the caller arrives as Gotify's message JSON, one text frame each. The
// server sends nothing else but pings; what the client sends is ignored.
// Revoking the token, or deleting the user, closes it (1008).
func (g *Gotify) handleStream(c *gin.Context) {
	who := callerOf(c)
	info := ws.ConnInfo{UserID: who.user.ID}
	if who.token != nil {
		info.TokenID, info.Credential = who.token.ID, who.token.ID
	}
	if err := g.stream.reg.Serve(c, info); err != nil { // Serve answers refusals itself
		g.stream.log.Debug("gotify stream: handshake refused", "user_id", who.user.ID, "err", err)
	}
}

// Handle takes one change from the bus (bus.Subscribe(g.Handle)) on the
// publisher's goroutine and never blocks: a new notification of a user
// with a stream is queued for Run, which reads its numbers and pushes it.
func (g *Gotify) Handle(c app.Change) {
	if g.stream == nil || c.Kind != app.ChangeCreated || c.Notification == nil || !g.stream.reg.HasUser(c.UserID) {
		return
	}
	select {
	case g.stream.jobs <- c.Notification:
	default:
		g.stream.log.Warn("gotify stream: too many messages waiting; closing the user's streams", "user_id", c.UserID)
		g.stream.reg.CloseUser(c.UserID, ws.CloseSlow, "too far behind")
	}
}

// Run pushes queued notifications to their users' streams, in the order
// they were created, until ctx ends.
func (g *Gotify) Run(ctx context.Context) {
	if g.stream == nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-g.stream.jobs:
			g.stream.push(ctx, n)
		}
	}
}

// push sends n to every stream of its user. A notification deleted before
// it was pushed is skipped.
func (s *stream) push(parent context.Context, n *app.Notification) {
	ctx, cancel := context.WithTimeout(parent, streamTimeout)
	defer cancel()
	number, topic, err := s.numbers.Numbered(ctx, n.ID)
	if err != nil {
		// Only shutting down is quiet: a read that ran out of time is an
		// error like any other (the stream misses that message).
		if app.ErrorKind(err) != app.ENOTFOUND && parent.Err() == nil {
			s.log.Error("gotify stream: read the message's numbers", "user_id", n.UserID, "err", err)
		}
		return
	}
	frame, err := json.Marshal(messageOf(&app.NumberedNotification{Notification: n, Number: number, TopicNumber: topic}))
	if err != nil {
		s.log.Error("gotify stream: encode message", "err", err)
		return
	}
	s.reg.SendToUser(n.UserID, frame)
}

// Resync closes every stream with 1012 (service restart) after the change
// bus may have missed messages; clients reconnect.
func (g *Gotify) Resync() {
	if g.stream != nil {
		g.stream.reg.CloseAll(ws.CloseShutdown, "change bus reconnected")
	}
}

// Revoke ends the streams that lost their credentials (ws.Registry.Revoke);
// it suits auth.Service.OnRevoke.
func (g *Gotify) Revoke(userID, tokenID string) {
	if g.stream != nil {
		g.stream.reg.Revoke(userID, tokenID)
	}
}

// Close sends every stream a close frame (1012, service restart: the app
// reconnects once the server is back) and waits briefly for them to end.
// Closing twice is harmless.
func (g *Gotify) Close() error {
	if g.stream == nil {
		return nil
	}
	return g.stream.reg.Close()
}
