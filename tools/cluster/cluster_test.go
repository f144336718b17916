package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/belfry/belfry/app/bus/bustest"
	"github.com/belfry/belfry/db/pgtest"
	"github.com/coder/websocket"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// cluster is N replicas on one PostgreSQL database and one NATS server,
// behind a round-robin proxy (LB), with alice's tokens.
type cluster struct {
	bin      string
	env      []string // every replica's settings, and the CLI's
	replicas []*replica
	LB       *httptest.Server
	mu       sync.Mutex // guards replicas against the proxy
	next     int

	admin, publish, client string
}

// startCluster starts n replicas with the database at dbURL (PostgreSQL;
// "" for one replica on a SQLite file) and the NATS server at natsURL.
func startCluster(t testing.TB, n int, dbURL, natsURL string, extra ...string) *cluster {
	t.Helper()
	c := &cluster{bin: belfryBinary(t)}
	c.LB = httptest.NewServer(&httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			c.mu.Lock()
			c.next++
			target, _ := url.Parse(c.replicas[c.next%len(c.replicas)].URL)
			c.mu.Unlock()
			r.SetURL(target)
			r.Out.Host = r.In.Host // Belfry compares Origin with base_url
			r.SetXForwarded()
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			http.Error(w, "replica unreachable: "+err.Error(), http.StatusBadGateway)
		},
	})
	t.Cleanup(c.LB.Close)
	c.env = append([]string{
		"BELFRY_SERVER_BASE_URL=" + c.LB.URL,
		"BELFRY_SERVER_TRUSTED_PROXIES=127.0.0.1",
		"BELFRY_STORM_ENABLED=false",
		"BELFRY_AUTH_ADMIN_PASSWORD=cluster-test-password",
		"BELFRY_POLLING_RATE_PER_SECOND=10000",
		"BELFRY_POLLING_BURST=10000",
		"BELFRY_WEBSOCKET_MAX_PER_ADDRESS=100000",
		"BELFRY_LOG_LEVEL=warn",
	}, extra...)
	if dbURL != "" {
		c.env = append(c.env, "BELFRY_DATABASE_DRIVER=postgres", "BELFRY_DATABASE_URL="+dbURL, "BELFRY_CLUSTER_NATS_URL="+natsURL)
	} else {
		c.env = append(c.env, "BELFRY_DATABASE_PATH="+t.TempDir()+"/belfry.db", "BELFRY_DATABASE_DURABILITY=full")
	}
	// Replicas that start together: they migrate one after the other and
	// create the admin once.
	replicas := make([]*replica, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { replicas[i] = startReplica(t, c.bin, string(rune('A'+i)), c.env) })
	}
	wg.Wait()
	c.mu.Lock()
	c.replicas = replicas
	c.mu.Unlock()
	if t.Failed() {
		t.FailNow()
	}
	belfryCLI(t, c.bin, c.env, "alice's password\n", "user", "add", "alice", "--password-stdin")
	c.client = belfryCLI(t, c.bin, c.env, "", "token", "create", "alice", "--scope", "client", "--name", "e2e")
	c.publish = belfryCLI(t, c.bin, c.env, "", "token", "create", "alice", "--scope", "publish", "--name", "e2e")
	c.admin = belfryCLI(t, c.bin, c.env, "", "token", "create", "admin", "--scope", "admin", "--name", "e2e")
	return c
}

// dial opens path on base (a replica or the proxy) as alice, retrying
// while the proxy answers 502 (a replica that died).
func (c *cluster) dial(t testing.TB, base, path string) *websocket.Conn {
	t.Helper()
	h := http.Header{"Authorization": {"Bearer " + c.client}, "Origin": {c.LB.URL}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(base, "http")+path, &websocket.DialOptions{HTTPHeader: h})
		if err == nil {
			conn.SetReadLimit(1 << 20)
			t.Cleanup(func() { conn.CloseNow() })
			return conn
		}
		if time.Now().After(deadline) {
			t.Fatalf("dial %s%s: %v", base, path, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// frame reads the next JSON frame of conn within 20 s.
func frame(t testing.TB, conn *websocket.Conn) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, data, err := conn.Read(ctx)
	if err != nil {
		t.Fatalf("read a frame: %v", err)
	}
	var f map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("frame %s: %v", data, err)
	}
	return f
}

// notificationFrame reads frames of conn until one of type notification.
func notificationFrame(t testing.TB, conn *websocket.Conn) map[string]any {
	t.Helper()
	for {
		if f := frame(t, conn); f["type"] == "notification" {
			return f
		}
	}
}

// publishTo publishes one notification to alice through base and returns
// its id.
func (c *cluster) publishTo(t testing.TB, base, title string) string {
	t.Helper()
	res := must(t, "POST", base+"/api/v1/events", c.publish, map[string]any{"type": "job_failed", "title": title}, http.StatusAccepted)
	return res["notifications"].([]any)[0].(map[string]any)["id"].(string)
}

// TestThreeReplicas checks the cluster end to end, through real processes
// and real connections: changes cross replicas, a channel keeps its order
// when its messages are posted through all three, a webhook is delivered
// once with three workers, and a replica killed under publish load loses
// nothing acknowledged while its clients move to the others.
func TestThreeReplicas(t *testing.T) {
	nats := bustest.Start(t)
	c := startCluster(t, 3, pgtest.URL(t), nats.URL)
	a, b, cc := c.replicas[0], c.replicas[1], c.replicas[2]

	t.Run("PublishAndRead", func(t *testing.T) {
		onA, onB, onC := c.dial(t, a.URL, "/ws/notification/"), c.dial(t, b.URL, "/ws/notification/"), c.dial(t, cc.URL, "/ws/notification/")
		time.Sleep(200 * time.Millisecond) // the sockets' first frames, and their registration
		id := c.publishTo(t, a.URL, "Backup failed")
		for _, s := range []*websocket.Conn{onB, onC, onA} {
			if f := notificationFrame(t, s); f["notification"].(map[string]any)["id"] != id {
				t.Fatalf("frame %v, want notification %s", f, id)
			}
		}
		must(t, "PATCH", b.URL+"/api/notifications/"+id+"/read", c.client, nil, http.StatusOK)
		for {
			f := frame(t, onA)
			if n, ok := f["notification_count"]; ok {
				if n != float64(0) {
					t.Fatalf("A's unread count after the read on B: %v, want 0", n)
				}
				break
			}
		}
	})

	t.Run("ChannelOrder", func(t *testing.T) {
		ch := must(t, "POST", c.LB.URL+"/api/channels", c.client, map[string]any{"name": "ops"}, http.StatusCreated)
		id := ch["id"].(string)
		sock := c.dial(t, cc.URL, "/ws/channels/")
		if err := sock.Write(context.Background(), websocket.MessageText, []byte(`{"type":"subscribe","channel":"channel:`+id+`"}`)); err != nil {
			t.Fatal(err)
		}
		for f := frame(t, sock); f["type"] != "subscribed"; f = frame(t, sock) {
		}
		const n = 30
		var wg sync.WaitGroup
		for w := range 3 { // three posters, each through its own replica, interleaved
			wg.Go(func() {
				for i := w; i < n; i += 3 {
					if status, err := request(context.Background(), "POST", c.replicas[w].URL+"/api/channels/"+id+"/messages", c.client,
						map[string]any{"content": fmt.Sprintf("m%02d", i)}, nil); err != nil || status != http.StatusCreated {
						t.Errorf("post %d through %s: %d %v", i, c.replicas[w].name, status, err)
					}
				}
			})
		}
		wg.Wait()
		seen := map[string]bool{}
		var last float64
		for len(seen) < n {
			f := frame(t, sock)
			if f["type"] != "channel_message" {
				continue
			}
			seq := f["seq"].(float64)
			if last != 0 && seq != last+1 {
				t.Fatalf("seq %v after %v: a gap or a swap", seq, last)
			}
			last = seq
			content := f["data"].(map[string]any)["content"].(string)
			if seen[content] {
				t.Fatalf("%s twice", content)
			}
			seen[content] = true
		}
	})

	t.Run("WebhookOnce", func(t *testing.T) {
		var mu sync.Mutex
		got := map[string]int{}
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got[r.Header.Get("webhook-id")]++
			mu.Unlock()
		}))
		defer recv.Close()
		must(t, "POST", c.LB.URL+"/api/webhooks", c.admin, map[string]any{"kind": "generic", "url": recv.URL, "events": []string{"job.failed"}}, http.StatusCreated)
		// The admin's webhook fires for the admin's notifications.
		const n = 30
		for i := range n {
			must(t, "POST", c.replicas[i%3].URL+"/api/v1/events", c.admin, map[string]any{"type": "job_failed", "title": fmt.Sprintf("w%d", i), "users": []string{"admin"}}, http.StatusAccepted)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			mu.Lock()
			distinct := len(got)
			mu.Unlock()
			if distinct >= n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d deliveries arrived", distinct, n)
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(time.Second) // a second copy would come from another worker now
		mu.Lock()
		defer mu.Unlock()
		for id, k := range got {
			if k != 1 {
				t.Errorf("delivery %s arrived %d times", id, k)
			}
		}
		if len(got) != n {
			t.Errorf("%d deliveries, want %d", len(got), n)
		}
	})

	t.Run("KillOneUnderLoad", func(t *testing.T) {
		// A socket on each replica, as the balancer spread them.
		var socks []*follower
		for _, r := range []*replica{a, b, cc} {
			socks = append(socks, follow(c.dial(t, r.URL, "/ws/notification/")))
		}
		ctx, stop := context.WithCancel(context.Background())
		var mu sync.Mutex
		var acked []string
		var failed atomic.Int64
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := 0; ctx.Err() == nil; i++ {
					out := map[string]any{}
					status, err := request(context.Background(), "POST", c.LB.URL+"/api/v1/events", c.publish,
						map[string]any{"type": "job_failed", "title": fmt.Sprintf("load %d-%d", w, i)}, &out)
					if err != nil || status != http.StatusAccepted {
						failed.Add(1) // refused or cut: not acknowledged, the publisher tries again
						continue
					}
					mu.Lock()
					acked = append(acked, out["notifications"].([]any)[0].(map[string]any)["id"].(string))
					mu.Unlock()
				}
			})
		}
		time.Sleep(time.Second)
		cc.kill()
		time.Sleep(time.Second)
		stop()
		wg.Wait()
		if len(acked) == 0 {
			t.Fatal("no publish was acknowledged")
		}
		// Every acknowledged notification is in the database.
		stored := map[string]bool{}
		cursor := ""
		for {
			var page struct {
				Notifications []struct {
					ID string `json:"id"`
				} `json:"notifications"`
				Pagination struct {
					NextCursor string `json:"next_cursor"`
				} `json:"pagination"`
			}
			status, err := request(context.Background(), "GET", a.URL+"/api/v1/client/notifications?sort=oldest&limit=100&cursor="+cursor, c.client, nil, &page)
			if err != nil || status != http.StatusOK {
				t.Fatalf("poll: %d %v", status, err)
			}
			for _, n := range page.Notifications {
				stored[n.ID] = true
			}
			if page.Pagination.NextCursor == "" || len(page.Notifications) == 0 {
				break
			}
			cursor = page.Pagination.NextCursor
		}
		lost := 0
		for _, id := range acked {
			if !stored[id] {
				lost++
			}
		}
		if lost > 0 {
			t.Fatalf("%d of %d acknowledged publishes are not stored", lost, len(acked))
		}
		t.Logf("%d publishes acknowledged, %d refused or cut while a replica died; none lost", len(acked), failed.Load())

		// The socket on the killed replica ended; its client reconnects
		// through the balancer, which finds a living replica. The others
		// stayed open, and every socket gets what is published next.
		select {
		case <-socks[2].ended:
		case <-time.After(10 * time.Second):
			t.Fatal("the socket on the killed replica did not end")
		}
		for _, s := range socks[:2] {
			select {
			case <-s.ended:
				t.Fatalf("a socket on a living replica ended: %v", s.err)
			default:
			}
		}
		socks[2] = follow(c.dial(t, c.LB.URL, "/ws/notification/"))
		time.Sleep(200 * time.Millisecond)
		id := c.publishTo(t, a.URL, "After the crash")
		for _, s := range socks {
			s.await(t, id)
		}
	})
}

// follower reads a socket's frames in the background.
type follower struct {
	frames chan map[string]any
	ended  chan struct{}
	err    error
}

func follow(conn *websocket.Conn) *follower {
	f := &follower{frames: make(chan map[string]any, 100_000), ended: make(chan struct{})}
	go func() {
		defer close(f.ended)
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				f.err = err
				return
			}
			var m map[string]any
			if json.Unmarshal(data, &m) == nil {
				f.frames <- m
			}
		}
	}()
	return f
}

// await reads f's frames until the notification id arrives.
func (f *follower) await(t testing.TB, id string) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m := <-f.frames:
			if n, ok := m["notification"].(map[string]any); ok && n["id"] == id {
				return
			}
		case <-f.ended:
			t.Fatalf("the socket ended before notification %s: %v", id, f.err)
		case <-timeout:
			t.Fatalf("notification %s did not arrive", id)
		}
	}
}
