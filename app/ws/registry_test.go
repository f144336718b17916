package ws

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"
)

// registryServer serves a bare Registry: the user is the query parameter u,
// and every client frame "sub:NAME" or "unsub:NAME" changes subscriptions and
// is acknowledged with "ok:" and the frame.
func registryServer(t *testing.T, o Options) (*Registry, string) {
	t.Helper()
	o.OnMessage = func(c *Conn, msg []byte) {
		cmd, name, _ := strings.Cut(string(msg), ":")
		switch cmd {
		case "sub":
			c.reg.Subscribe(c, name)
		case "unsub":
			c.reg.Unsubscribe(c, name)
		}
		c.Send([]byte("ok:" + string(msg)))
	}
	o.Logger = slog.New(slog.DiscardHandler)
	o = o.withTestDefaults()
	reg := New(o)
	gin.SetMode(gin.TestMode)
	engine := gin.New()
	engine.GET("/", func(c *gin.Context) {
		_ = reg.Serve(c, ConnInfo{UserID: c.Query("u"), TokenID: "test"})
	})
	hs := httptest.NewServer(engine)
	t.Cleanup(func() {
		reg.Close()
		hs.Close()
	})
	return reg, "ws" + strings.TrimPrefix(hs.URL, "http")
}

// rawClient dials a bare Registry and reads frames into a channel.
func rawClient(t *testing.T, url string) (*websocket.Conn, chan string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	frames := make(chan string, 64)
	go func() {
		defer close(frames)
		for {
			_, msg, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			frames <- string(msg)
		}
	}()
	return conn, frames
}

func recv(t *testing.T, frames chan string) string {
	t.Helper()
	select {
	case f, ok := <-frames:
		if !ok {
			t.Fatal("socket closed")
		}
		return f
	case <-time.After(guard):
		t.Fatal("no frame arrived")
	}
	return ""
}

func say(t *testing.T, conn *websocket.Conn, frames chan string, msg string) {
	t.Helper()
	if err := conn.Write(context.Background(), websocket.MessageText, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, frames); got != "ok:"+msg {
		t.Fatalf("got %q, want the acknowledgement of %q", got, msg)
	}
}

func TestRegistrySubscriptions(t *testing.T) {
	reg, url := registryServer(t, Options{})
	c1, f1 := rawClient(t, url+"?u=u1")
	c2, f2 := rawClient(t, url+"?u=u2")
	_, f3 := rawClient(t, url+"?u=u2")
	say(t, c1, f1, "sub:room")
	say(t, c2, f2, "sub:room")
	say(t, c2, f2, "sub:other")

	if n := reg.SendToSubscription("room", []byte("r1")); n != 2 {
		t.Fatalf("room reached %d, want 2", n)
	}
	if recv(t, f1) != "r1" || recv(t, f2) != "r1" {
		t.Fatal("subscribers did not get r1")
	}
	say(t, c2, f2, "unsub:room")
	if !reg.Subscribed(reg.UserConns("u1")[0], "room") || len(reg.SubscriptionConns("room")) != 1 {
		t.Fatal("subscription index is wrong")
	}
	reg.SendToSubscription("room", []byte("r2"))
	reg.SendToSubscription("other", []byte("o1"))
	if recv(t, f1) != "r2" || recv(t, f2) != "o1" {
		t.Fatal("wrong frames after unsubscribe")
	}
	// The third socket's handshake may still be finishing on the server.
	waitUntil(t, func() bool { return len(reg.UserConns("u2")) == 2 })
	if n := reg.SendToUser("u2", []byte("hi u2")); n != 2 {
		t.Fatalf("SendToUser reached %d, want 2", n)
	}
	// The third socket was never subscribed: its first frame is the user's.
	if recv(t, f3) != "hi u2" || recv(t, f2) != "hi u2" {
		t.Fatal("u2's sockets did not get their frame")
	}

	c2.Close(websocket.StatusNormalClosure, "")
	waitUntil(t, func() bool { return len(reg.SubscriptionConns("other")) == 0 })
	if n := reg.SendToSubscription("other", []byte("nobody")); n != 0 {
		t.Fatalf("a closed socket stayed subscribed (%d)", n)
	}
	if st := reg.Stats(); st.Conns != 2 {
		t.Fatalf("stats %+v, want 2 connections", st)
	}
}

func TestRegistryReapsDeadPeers(t *testing.T) {
	reg, url := registryServer(t, Options{PingPeriod: 500 * time.Millisecond})
	_, live := rawClient(t, url+"?u=live") // its read loop answers pings
	// A peer that completes the handshake and then never answers a ping.
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	dead, _, err := websocket.Dial(ctx, url+"?u=dead", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dead.CloseNow()
	waitUntil(t, func() bool { return len(reg.UserConns("dead")) == 1 && len(reg.UserConns("live")) == 1 })
	conn := reg.UserConns("dead")[0]
	select {
	case <-conn.Done():
	case <-time.After(guard):
		t.Fatal("a peer that never answers pings was not reaped")
	}
	reg.SendToUser("live", []byte("still here"))
	if got := recv(t, live); got != "still here" {
		t.Fatalf("live peer got %q", got)
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	apptest.WaitFor(t, "the registry", cond)
}

// withTestDefaults fills the websocket.* settings a test leaves zero with
// the configuration's defaults.
func (o Options) withTestDefaults() Options {
	d := app.DefaultConfig().WebSocket
	if o.MaxMessageBytes == 0 {
		o.MaxMessageBytes = d.MaxMessageBytes
	}
	if o.SendBuffer == 0 {
		o.SendBuffer = d.SendBuffer
	}
	if o.MaxQueuedBytes == 0 {
		o.MaxQueuedBytes = d.MaxQueuedBytes
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = d.WriteTimeout.Duration
	}
	if o.PingPeriod == 0 {
		o.PingPeriod = d.PingPeriod.Duration
	}
	if o.Limits == nil {
		o.Limits = NewLimits(d)
	}
	return o
}

const guard = apptest.Guard

// TestRegistryIdleConnectionHoldsNoQueue: a connection's queue and writer
// exist only while frames wait; once they are written it holds neither.
func TestRegistryIdleConnectionHoldsNoQueue(t *testing.T) {
	reg, url := registryServer(t, Options{})
	_, frames := rawClient(t, url+"?u=idle")
	waitUntil(t, func() bool { return len(reg.UserConns("idle")) == 1 })
	c := reg.UserConns("idle")[0]
	for i := range 50 {
		reg.SendToUser("idle", []byte("frame "+strconv.Itoa(i)))
	}
	for i := range 50 {
		if got := recv(t, frames); got != "frame "+strconv.Itoa(i) {
			t.Fatalf("got %q, want frame %d", got, i)
		}
	}
	waitUntil(t, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.q.frames == nil && !c.q.writing && c.q.bytes == 0
	})
	if st := reg.Stats(); st.Sent != 50 || st.DroppedSlow != 0 {
		t.Fatalf("stats %+v", st)
	}
}
