package hub

import (
	"context"
	"net"
	"net/http"
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

	s.hub.Revoke(alice.ID, "")
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
