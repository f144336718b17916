package gotify

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/ws"
	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"
)

// TestStreamBacklog: when pushes fall streamBacklog notifications behind
// (here nothing pushes them), Handle still returns at once and closes the
// user's streams with 1013, try again later: the app reconnects and
// fetches what it missed from GET /message.
func TestStreamBacklog(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	g := New(Deps{})
	g.stream = newStream(StreamConfig{WebSocket: app.DefaultConfig().WebSocket, Logger: apptest.Logger()}, nil)
	e := gin.New()
	e.GET("/stream", func(c *gin.Context) { _ = g.stream.reg.Serve(c, ws.ConnInfo{UserID: "alice", TokenID: "t"}) })
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	conn := apptest.Dial(t, srv.URL+"/stream", nil)
	// The handshake's answer can reach the client before the server has
	// indexed the connection: wait for it, or there is nothing to close.
	for deadline := time.Now().Add(5 * time.Second); !g.stream.reg.HasUser("alice"); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the stream never registered")
		}
	}

	// Handle never waits: with nothing draining the queue, the last of
	// these would block forever if it did.
	for range streamBacklog + 1 {
		g.Handle(app.Change{Kind: app.ChangeCreated, UserID: "alice", Notification: &app.Notification{ID: "n", UserID: "alice"}})
	}
	if code := conn.CloseStatus(); code != websocket.StatusTryAgainLater {
		t.Errorf("close code %d, want 1013", code)
	}
	_ = g.Close()
}
