package server_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/bus/bustest"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/belfry/belfry/db/pgtest"
	"github.com/coder/websocket"
)

// replicas starts two whole servers, each with its own HTTP listener, on
// one PostgreSQL database (a real server, db/pgtest) and one embedded NATS,
// and waits until both are connected to it.
func replicas(t *testing.T, opts ...servertest.Option) (a, b *servertest.App, nats *bustest.NATS) {
	t.Helper()
	nats = bustest.Start(t)
	url := pgtest.URL(t)
	cluster := servertest.WithConfig(func(c *app.Config) {
		c.Database.Driver, c.Database.URL = "postgres", url
		c.Cluster.NATSURL = nats.URL
		c.Cluster.Subject = "test"
	})
	opts = append(opts, cluster)
	a = servertest.New(t, opts...)
	b = servertest.New(t, opts...)
	for _, s := range []*servertest.App{a, b} {
		apptest.WaitFor(t, "the replica to connect to NATS", func() bool { return s.Net.Ready() == nil })
	}
	return a, b, nats
}

// dialReplica opens path on s with token once the endpoint has no socket
// left (those of earlier steps end asynchronously), and waits until the
// endpoint indexed the new one.
func dialReplica(t *testing.T, s *servertest.App, path, token string, sockets func() int) *websocket.Conn {
	t.Helper()
	apptest.WaitFor(t, "the earlier sockets to end", func() bool { return sockets() == 0 })
	c, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(s.URL, "http")+path,
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	apptest.WaitFor(t, "the socket to be indexed", func() bool { return sockets() == 1 })
	return c
}

// metric is series in s's /metrics.
func metric(s *servertest.App, series string) float64 {
	rec := httptest.NewRecorder()
	s.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return apptest.Sample(rec.Body.String(), series)
}

func hubSockets(s *servertest.App) func() int { return func() int { return s.Hub.Stats().Sockets } }

// publishOn publishes one notification to alice through s and returns its id.
func publishOn(t *testing.T, s *servertest.App, token, title string) any {
	t.Helper()
	res := call(t, "POST", s.URL+"/api/v1/events", token, map[string]any{"type": "job_failed", "title": title}, http.StatusAccepted)
	return res["notifications"].([]any)[0].(map[string]any)["id"]
}

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestClusterBus checks that changes made on one replica reach the live
// connections and waiters of the other through NATS.
func TestClusterBus(t *testing.T) {
	a, b, _ := replicas(t)
	publish := a.TokenFor("alice", false, app.ScopePublish)
	client := a.TokenFor("alice", false, app.ScopeClient)

	t.Run("NotificationAndMarkRead", func(t *testing.T) {
		onA := dialReplica(t, a, "/ws/notification/", client, hubSockets(a))
		onB := dialReplica(t, b, "/ws/notification/", client, hubSockets(b))
		id := publishOn(t, a, publish, "Backup failed")
		for _, sock := range []*websocket.Conn{onB, onA} {
			if f := readFrame(t, sock); f["type"] != "notification" || f["notification"].(map[string]any)["id"] != id {
				t.Fatalf("frame %v, want the new notification", f)
			}
		}
		call(t, "PATCH", b.URL+"/api/notifications/"+id.(string)+"/read", client, nil, http.StatusOK)
		if f := readFrame(t, onA); f["notification_count"] != float64(0) {
			t.Fatalf("frame on A after the read on B: %v, want an unread count of 0", f)
		}
	})

	t.Run("LongPollWakes", func(t *testing.T) {
		client := a.TokenFor("carol", false, app.ScopeClient)
		publish := a.TokenFor("carol", false, app.ScopePublish)
		publishOn(t, a, publish, "First")
		first := call(t, "GET", b.URL+"/api/v1/client/notifications?sort=oldest", client, nil, http.StatusOK)
		cursor, _ := first["pagination"].(map[string]any)["next_cursor"].(string)
		got := make(chan map[string]any, 1)
		go func() {
			got <- call(t, "GET", b.URL+"/api/v1/client/notifications?sort=oldest&wait=30&cursor="+cursor, client, nil, http.StatusOK)
		}()
		apptest.WaitFor(t, "the long poll to wait", func() bool { return metric(b, "belfry_poll_waiting") > 0 })
		id := publishOn(t, a, publish, "Disk failing")
		select {
		case list := <-got:
			n := list["notifications"].([]any)
			if len(n) != 1 || n[0].(map[string]any)["id"] != id {
				t.Fatalf("long poll answered %v, want the notification published on A", list)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the long poll on B did not wake for a publish on A")
		}
	})

	t.Run("ChannelOrder", func(t *testing.T) {
		ch := call(t, "POST", a.URL+"/api/channels", client, map[string]any{"name": "ops"}, http.StatusCreated)
		id := ch["id"].(string)
		sock := dialReplica(t, b, "/ws/channels/", client, func() int { return b.Channels.Stats().Sockets })
		if err := sock.Write(context.Background(), websocket.MessageText, []byte(`{"type":"subscribe","channel":"channel:`+id+`"}`)); err != nil {
			t.Fatal(err)
		}
		if f := readFrame(t, sock); f["type"] != "subscribed" {
			t.Fatalf("subscribe answer %v", f)
		}
		const n = 20
		for i := range n {
			call(t, "POST", a.URL+"/api/channels/"+id+"/messages", client, map[string]any{"content": "m" + string(rune('a'+i))}, http.StatusCreated)
		}
		var last float64
		for i := 0; i < n; {
			f := readFrame(t, sock)
			if f["type"] != "channel_message" {
				continue
			}
			if seq := f["seq"].(float64); seq <= last {
				t.Fatalf("event %d has seq %v after %v", i, seq, last)
			} else {
				last = seq
			}
			if got := f["data"].(map[string]any)["content"]; got != "m"+string(rune('a'+i)) {
				t.Fatalf("message %d is %v", i, got)
			}
			i++
		}
	})

	t.Run("KickInOrder", func(t *testing.T) {
		bob := a.User("bobby", false)
		bobToken := a.Token(bob, app.ScopeClient)
		ch := call(t, "POST", a.URL+"/api/channels", client, map[string]any{"name": "kick-room"}, http.StatusCreated)
		id := ch["id"].(string)
		call(t, "POST", a.URL+"/api/channels/"+id+"/join", bobToken, nil, http.StatusOK)
		sock := dialReplica(t, b, "/ws/channels/", bobToken, func() int { return b.Channels.Stats().Sockets })
		for _, stream := range []string{"channel:" + id, "user:" + bob.ID} {
			if err := sock.Write(context.Background(), websocket.MessageText, []byte(`{"type":"subscribe","channel":"`+stream+`"}`)); err != nil {
				t.Fatal(err)
			}
			if f := readFrame(t, sock); f["type"] != "subscribed" {
				t.Fatalf("subscribe answer %v", f)
			}
		}
		call(t, "POST", a.URL+"/api/channels/"+id+"/kick", client, map[string]any{"user_id": bob.ID}, http.StatusOK)
		// The channel's event, the user's own, then the end of the
		// subscription: the order the replica that kicked published.
		for _, want := range [][2]string{{"user_kicked", "channel:" + id}, {"user_kicked", "user:" + bob.ID}, {"unsubscribed", "channel:" + id}} {
			f := readFrame(t, sock)
			for f["type"] == "member_joined" { // bob's join may still be on its way
				f = readFrame(t, sock)
			}
			if f["type"] != want[0] || f["channel"] != want[1] {
				t.Fatalf("frame %v, want %s on %s", f, want[0], want[1])
			}
		}
	})

	t.Run("RevokeClosesSocketOnOtherReplica", func(t *testing.T) {
		u := a.User("bob", false)
		secret, tok, err := a.Auth.CreateToken(context.Background(), u.ID, "phone", app.ScopeClient)
		if err != nil {
			t.Fatal(err)
		}
		sock := dialReplica(t, b, "/ws/notification/", secret, hubSockets(b))
		if err := a.Auth.RevokeToken(context.Background(), u.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		waitClosed(t, sock, "its token was revoked on A")

		carl := a.User("carl", false)
		sock = dialReplica(t, b, "/ws/notification/", a.Token(carl, app.ScopeClient), hubSockets(b))
		if err := a.Auth.DeleteUser(context.Background(), carl.ID); err != nil {
			t.Fatal(err)
		}
		waitClosed(t, sock, "its user was deleted on A")
	})

	t.Run("QuietHoursMemo", func(t *testing.T) {
		u := a.User("dora", false)
		ctx := context.Background()
		if got, err := b.Quiet.QuietHoursFor(ctx, []string{u.ID}); err != nil || got[u.ID] != nil {
			t.Fatalf("B's quiet hours of dora before = %v, %v", got, err)
		}
		q := app.QuietHours{Timezone: "UTC", Windows: []app.QuietWindow{{Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, Start: "00:00", End: "23:59"}}}
		if err := a.Quiet.Set(ctx, u.ID, q); err != nil {
			t.Fatal(err)
		}
		apptest.WaitFor(t, "B to forget its memo of dora's quiet hours", func() bool {
			got, err := b.Quiet.QuietHoursFor(ctx, []string{u.ID})
			return err == nil && got[u.ID] != nil
		})
	})

	if metric(a, "belfry_cluster_connected") != 1 || metric(a, "belfry_cluster_published_total") < 1 ||
		metric(b, "belfry_cluster_received_total") < metric(a, "belfry_cluster_published_total") || metric(b, "belfry_cluster_errors_total") != 0 {
		t.Errorf("cluster metrics: A connected %v published %v; B received %v errors %v",
			metric(a, "belfry_cluster_connected"), metric(a, "belfry_cluster_published_total"),
			metric(b, "belfry_cluster_received_total"), metric(b, "belfry_cluster_errors_total"))
	}
}

// waitClosed fails unless the server closes sock within 10 s.
func waitClosed(t *testing.T, sock *websocket.Conn, why string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if _, _, err := sock.Read(ctx); err != nil {
			if ctx.Err() != nil {
				t.Fatalf("the socket on B stayed open after %s", why)
			}
			return
		}
	}
}

// TestClusterNATSRestart stops NATS: both replicas report not ready, then
// reconnect when it is back; the sockets open across the gap are closed
// with 1012 so their clients reload, and delivery resumes.
func TestClusterNATSRestart(t *testing.T) {
	a, b, nats := replicas(t)
	publish := a.TokenFor("alice", false, app.ScopePublish)
	client := a.TokenFor("alice", false, app.ScopeClient)
	before := dialReplica(t, b, "/ws/notification/", client, hubSockets(b))
	chans := dialReplica(t, b, "/ws/channels/", client, func() int { return b.Channels.Stats().Sockets })
	stream := openNtfyStream(t, b, client)

	nats.Stop()
	for _, s := range []*servertest.App{a, b} {
		apptest.WaitFor(t, "the replica to notice NATS is gone", func() bool { return s.Net.Ready() != nil })
		if metric(s, "belfry_cluster_connected") != 0 {
			t.Error("belfry_cluster_connected is not 0 with NATS down")
		}
		res := s.Do("GET", "/readyz", "")
		if res.Code != http.StatusServiceUnavailable || !strings.Contains(res.Body.String(), "The change bus is not connected") {
			t.Fatalf("/readyz with NATS down: %d %s", res.Code, res.Body)
		}
	}
	nats.Restart()
	for _, s := range []*servertest.App{a, b} {
		apptest.WaitFor(t, "the replica to reconnect", func() bool { return s.Net.Ready() == nil })
		if res := s.Do("GET", "/readyz", ""); res.Code != http.StatusOK {
			t.Fatalf("/readyz after the reconnection: %d %s", res.Code, res.Body)
		}
		// The reconnection handler runs on nats.go's callback goroutine.
		apptest.WaitFor(t, "the reconnection to be counted as a gap", func() bool { return metric(s, "belfry_cluster_gaps_total") >= 1 })
	}
	for _, c := range []*websocket.Conn{before, chans} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, _, err := c.Read(ctx)
		cancel()
		if websocket.CloseStatus(err) != websocket.StatusServiceRestart {
			t.Fatalf("a socket open across the gap ended with %v, want 1012", err)
		}
	}
	// ntfy's held-open HTTP stream ends too, so its client reconnects with
	// since= and reads what the gap hid.
	ended := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, stream); ended <- err }()
	select {
	case err := <-ended:
		if err != nil {
			t.Fatalf("the ntfy stream open across the gap: %v, want its end", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the ntfy stream open across the gap is still open")
	}
	sock := dialReplica(t, b, "/ws/notification/", client, hubSockets(b))
	id := publishOn(t, a, publish, "After the restart")
	if f := readFrame(t, sock); f["notification"].(map[string]any)["id"] != id {
		t.Fatalf("frame %v after the restart, want the notification", f)
	}
}

// openNtfyStream opens ntfy's /<topic>/json stream of every topic on s
// and returns its body once the stream's open event arrived.
func openNtfyStream(t *testing.T, s *servertest.App, token string) io.Reader {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+"/inbox/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	body := bufio.NewReader(resp.Body)
	line, err := body.ReadString('\n')
	if resp.StatusCode != http.StatusOK || err != nil || !strings.Contains(line, `"event":"open"`) {
		t.Fatalf("ntfy stream: %d %q %v", resp.StatusCode, line, err)
	}
	return body
}
