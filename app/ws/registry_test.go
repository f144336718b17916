package ws

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/coder/websocket"
)

func TestOversizedFrameCloses1009(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	c := s.dial(alice, bearerAuth(s.token(alice, app.ScopeClient)))
	id := s.notify(alice, jobFailed("one"))
	c.next()

	// A frame at the limit is read (and ignored: it is not JSON).
	c.send(strings.Repeat("x", s.cfg.WebSocket.MaxMessageBytes))
	c.send(`{"type":"notification","notification_id":"` + id + `"}`)
	wantPush(t, c.next(), 0, false, false)

	c.send(strings.Repeat("x", s.cfg.WebSocket.MaxMessageBytes+1))
	if code := c.closeStatus(); code != websocket.StatusMessageTooBig {
		t.Fatalf("close code %d, want 1009", code)
	}
}

// tinyReceiveBuffer is an HTTP client whose connections have a small kernel
// receive buffer, so a client that does not read backs up quickly.
func tinyReceiveBuffer() *http.Client {
	d := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		ctrlErr := rc.Control(func(fd uintptr) {
			err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		if ctrlErr != nil {
			return ctrlErr
		}
		return err
	}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

func TestSlowSocketIsDroppedAndOthersKeepReceiving(t *testing.T) {
	s := newServer(t, func(c *app.Config) {
		c.WebSocket.SendBuffer = 4
		c.Storm.Enabled = false
	})
	alice, bob := s.user("alice"), s.user("bob")
	secret := s.token(alice, app.ScopeClient)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	// A tab that never reads, behind a small kernel receive buffer.
	stalled, _, err := websocket.Dial(ctx, s.wsURL(), &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + secret}}, HTTPClient: tinyReceiveBuffer()})
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.CloseNow()
	s.waitFor("stalled socket indexed", func() bool { return len(s.hub.reg.UserConns(alice.ID)) == 1 })
	slow := s.hub.reg.UserConns(alice.ID)[0]
	fast := s.dial(alice, bearerAuth(secret))
	bobs := s.dial(bob, bearerAuth(s.token(bob, app.ScopeClient)))

	// Large toasts fill the kernel buffers and then the send buffer. The
	// other tab of the same user gets every one of them, in order.
	body := strings.Repeat("x", 64<<10)
	for i := 0; s.hub.Stats().DroppedSlow == 0; i++ {
		if i == 2000 {
			t.Fatal("the stalled socket was never dropped")
		}
		id := uuidString()
		s.bus.Publish(ctx, app.Change{Kind: app.ChangeCreated, UserID: alice.ID, Toast: true, Notification: &app.Notification{
			ID: id, UserID: alice.ID, Title: "big", Body: body, Level: app.LevelInfo, CreatedAt: time.Now()}})
		if f := fast.next(); f.Notification == nil || f.Notification.ID != id {
			t.Fatalf("frame %d: got %v, want the toast of %s", i, f.keys["notification"], id)
		}
	}
	select {
	case <-slow.Done():
	case <-time.After(guard):
		t.Fatal("the dropped socket did not end")
	}
	id := s.notify(alice, jobFailed("after"))
	if f := fast.next(); f.Notification == nil || f.Notification.ID != id {
		t.Fatalf("after the drop the other tab got %v", f.keys)
	}
	id = s.notify(bob, jobFailed("bob"))
	if f := bobs.next(); f.Notification == nil || f.Notification.ID != id {
		t.Fatalf("bob got %v", f.keys)
	}
	if st := s.hub.Stats(); st.DroppedSlow != 1 || st.Sockets != 2 {
		t.Fatalf("stats %+v, want one dropped and two live", st)
	}
}

func TestCloseUser(t *testing.T) {
	s := newServer(t)
	alice, bob := s.user("alice"), s.user("bob")
	a1 := s.dial(alice, bearerAuth(s.token(alice, app.ScopeClient)))
	a2 := s.dial(alice, cookieAuth(s.cookie(alice)), origin(s.base))
	b := s.dial(bob, bearerAuth(s.token(bob, app.ScopeClient)))

	s.hub.CloseUser(alice.ID)
	for _, c := range []*client{a1, a2} {
		if code := c.closeStatus(); code != websocket.StatusPolicyViolation {
			t.Fatalf("close code %d, want 1008", code)
		}
	}
	// Nothing is sent to a closed user's sockets; bob is unaffected.
	s.publish(alice, app.ChangeDeleted)
	id := s.notify(bob, jobFailed("still here"))
	if f := b.next(); f.Notification == nil || f.Notification.ID != id {
		t.Fatalf("bob got %v", f.keys)
	}
	s.waitFor("alice's sockets gone", func() bool { return s.hub.Stats().Sockets == 1 })
}

func TestHubClose(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	secret := s.token(alice, app.ScopeClient)
	c := s.dial(alice, bearerAuth(secret))
	s.notify(alice, jobFailed("before"))

	if err := s.hub.Close(); err != nil {
		t.Fatal(err)
	}
	wantPush(t, c.next(), 1, true, true) // queued frames go out before the close frame
	if code := c.closeStatus(); code != websocket.StatusServiceRestart {
		t.Fatalf("close code %d, want 1012", code)
	}
	if n := s.hub.Stats().Sockets; n != 0 {
		t.Fatalf("%d sockets after Close", n)
	}
	resp := s.handshake(bearerAuth(secret))
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("handshake after Close: status %d, want 503", resp.StatusCode)
	}
	s.publish(alice, app.ChangeDeleted) // no worker, no panic
	if err := s.hub.Close(); err != nil {
		t.Fatal(err)
	}
}

// registryServer serves a bare Registry: the user is the query parameter u,
// and every client frame "sub:NAME" or "unsub:NAME" changes subscriptions and
// is acknowledged with "ok:" and the frame.
func registryServer(t *testing.T, o RegistryOptions) (*Registry, string) {
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
	reg := NewRegistry(o)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = reg.Serve(w, r, ConnInfo{UserID: r.URL.Query().Get("u"), TokenID: "test"})
	}))
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
	reg, url := registryServer(t, RegistryOptions{})
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
	reg, url := registryServer(t, RegistryOptions{PingPeriod: 500 * time.Millisecond})
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
	deadline := time.Now().Add(guard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		time.Sleep(time.Millisecond)
	}
}
