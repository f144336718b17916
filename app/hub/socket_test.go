package hub

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/ws"
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

// dialStalled opens a socket for u that reads nothing until the test wraps
// it in a client, behind a small kernel receive buffer, and returns it with
// the server's side of it.
func (s *server) dialStalled(u *app.User, secret string) (*websocket.Conn, *ws.Conn) {
	s.t.Helper()
	before := len(s.hub.reg.UserConns(u.ID))
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, s.wsURL(), &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + secret}}, HTTPClient: apptest.SmallReceiveBuffer()})
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { conn.CloseNow() })
	s.waitFor("the stalled socket indexed", func() bool { return len(s.hub.reg.UserConns(u.ID)) > before })
	return conn, s.hub.reg.UserConns(u.ID)[0]
}

// TestStalledSocketIsDroppedAfterWriteTimeout: a tab that stops reading is
// closed once a write to it has made no progress for websocket.write_timeout,
// and counted; the user's other tab and other users get every frame.
func TestStalledSocketIsDroppedAfterWriteTimeout(t *testing.T) {
	s := newServer(t, func(c *app.Config) {
		c.WebSocket.WriteTimeout = app.Duration{Duration: 500 * time.Millisecond}
		c.Storm.Enabled = false
	})
	alice, bob := s.user("alice"), s.user("bob")
	secret := s.token(alice, app.ScopeClient)
	_, slow := s.dialStalled(alice, secret)
	fast := s.dial(alice, bearerAuth(secret))
	bobs := s.dial(bob, bearerAuth(s.token(bob, app.ScopeClient)))

	// Large toasts fill the kernel buffers, then the queue, which coalesces:
	// only the write timeout ends the stalled tab. The other tab of the same
	// user gets every toast, in order.
	body := strings.Repeat("x", 64<<10)
	ctx := context.Background()
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

// countRank orders notification_count values: "99+" above every number.
func countRank(t *testing.T, f frame) int {
	t.Helper()
	switch v := f.Count.(type) {
	case float64:
		return int(v)
	case string:
		if v == "99+" {
			return 100
		}
	}
	t.Fatalf("notification_count %v", f.Count)
	return 0
}

// TestBehindSocketCatchesUp: a tab that stops reading for a while is not
// dropped. Once its queue passes websocket.max_queued_bytes the toasts it
// has not read give way to a reload carrying the count; what it reads
// afterwards is in publish order — toasts in order, counts never going
// back — and it ends with the current count.
func TestBehindSocketCatchesUp(t *testing.T) {
	s := newServer(t, func(c *app.Config) {
		c.WebSocket.MaxQueuedBytes = 64 << 10
		// Only the queue's bound may act here, however long the pause.
		c.WebSocket.WriteTimeout = app.Duration{Duration: time.Hour}
		c.Storm.Enabled = false
	})
	alice := s.user("alice")
	paused, _ := s.dialStalled(alice, s.token(alice, app.ScopeClient))

	ev := jobFailed("behind")
	ev.Body = strings.Repeat("y", 16<<10)
	var ids []string
	for i := 0; s.hub.Stats().Coalesced == 0; i++ {
		if i == 5000 {
			t.Fatal("the queue never coalesced")
		}
		ids = append(ids, s.notify(alice, ev))
	}
	// Small ones behind the reload, which the queue has room for: the last
	// arrives as a toast.
	for range 3 {
		ids = append(ids, s.notify(alice, jobFailed("small")))
	}
	final, _ := json.Marshal(countValue(len(ids)))

	c := &client{WS: apptest.Serve(t, paused), t: t}
	order := map[string]int{}
	for i, id := range ids {
		order[id] = i
	}
	lastToast, lastRank, reloads := -1, 0, 0
	for lastToast != len(ids)-1 {
		f := c.next()
		rank := countRank(t, f)
		if rank < lastRank {
			t.Fatalf("the count went back from %d to %d", lastRank, rank)
		}
		lastRank = rank
		switch {
		case f.Notification != nil:
			i, ok := order[f.Notification.ID]
			if !ok || i <= lastToast {
				t.Fatalf("toast %s out of publish order (after #%d)", f.Notification.ID, lastToast)
			}
			lastToast = i
			if i == len(ids)-1 && string(f.keys["notification_count"]) != string(final) {
				t.Fatalf("ended with count %s, want %s", f.keys["notification_count"], final)
			}
		case f.Reload:
			reloads++
		}
	}
	if reloads == 0 {
		t.Fatal("no reload frame took the place of the toasts missed")
	}
	if st := s.hub.Stats(); st.DroppedSlow != 0 || st.Sockets != 1 {
		t.Fatalf("stats %+v, want the socket kept", st)
	}
	// It is live: the next toast arrives as such.
	id := s.notify(alice, jobFailed("live"))
	if f := c.next(); f.Notification == nil || f.Notification.ID != id {
		t.Fatalf("after catching up got %v", f.keys)
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
