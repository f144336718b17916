package server_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/heartbeat"
	"github.com/belfry/belfry/app/server/servertest"
)

// leaderOf waits until exactly one of the replicas leads the cluster's
// background work and returns it first.
func leaderOf(t *testing.T, a, b *servertest.App) (leader, follower *servertest.App) {
	t.Helper()
	apptest.WaitFor(t, "one replica to lead", func() bool { return a.Leadership.Leading() != b.Leadership.Leading() })
	if metric(a, "belfry_cluster_leader")+metric(b, "belfry_cluster_leader") != 1 {
		t.Fatalf("belfry_cluster_leader: %v on A, %v on B; want 1 in all", metric(a, "belfry_cluster_leader"), metric(b, "belfry_cluster_leader"))
	}
	if a.Leadership.Leading() {
		return a, b
	}
	return b, a
}

// titled counts alice's notifications titled title, read through s (at
// most 5 times a second: the polling rate limit).
func titled(t *testing.T, s *servertest.App, token, title string) int {
	t.Helper()
	time.Sleep(200 * time.Millisecond)
	list := call(t, "GET", s.URL+"/api/v1/client/notifications?limit=100", token, nil, http.StatusOK)
	n := 0
	for _, v := range list["notifications"].([]any) {
		if v.(map[string]any)["title"] == title {
			n++
		}
	}
	return n
}

// TestClusterTimersOnce checks that the timers run on one replica of the
// cluster: a scheduled event and a heartbeat deadline set through the
// replica that does not lead are announced to the leader, which delivers
// each once; when the leader stops, the other replica takes the lead and
// delivers what fell due meanwhile.
func TestClusterTimersOnce(t *testing.T) {
	fake := clocktest.New()
	a, b, _ := replicas(t, servertest.WithClock(fake))
	leader, follower := leaderOf(t, a, b)
	publish := follower.TokenFor("alice", false, app.ScopePublish)
	client := follower.TokenFor("alice", false, app.ScopeClient)
	at := fake.Now().Add(10 * time.Minute)

	call(t, "POST", follower.URL+"/api/v1/events", publish, map[string]any{"type": "job_failed", "title": "Later",
		"deliver_at": at.Format(time.RFC3339)}, http.StatusAccepted)
	apptest.WaitFor(t, "the leader's timer to wait for the event", func() bool {
		return metric(leader, "belfry_scheduled_next_delivery_timestamp_seconds") == float64(at.Unix())
	})
	if got := metric(follower, "belfry_scheduled_next_delivery_timestamp_seconds"); got != 0 {
		t.Fatalf("the follower's timer waits for %v; only the leader's should", got)
	}
	name, period, grace := "nightly", int64(300), int64(60)
	alice, err := follower.Users.FindUserByName(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	h, err := follower.Heartbeats.Create(context.Background(), alice.ID, heartbeat.Input{Name: &name, PeriodSeconds: &period, GraceSeconds: &grace})
	if err != nil {
		t.Fatal(err)
	}
	ping, err := http.Get(follower.Heartbeats.PingURL(h.Key)) // a success: due in 6 min
	if err != nil {
		t.Fatal(err)
	}
	ping.Body.Close()
	apptest.WaitFor(t, "the leader's timer to wait for the check", func() bool {
		return metric(leader, "belfry_heartbeat_next_deadline_timestamp_seconds") == float64(fake.Now().Add(6*time.Minute).Unix())
	})
	fake.Advance(11 * time.Minute)
	apptest.WaitFor(t, "the scheduled event and the late alert", func() bool {
		return titled(t, follower, client, "Later") == 1 && titled(t, follower, client, "nightly is late") == 1
	})
	if got := metric(leader, "belfry_scheduled_delivered_total") + metric(follower, "belfry_scheduled_delivered_total"); got != 1 {
		t.Fatalf("scheduled deliveries in the cluster: %v, want 1", got)
	}

	// The leader stops: the other replica leads and catches up.
	call(t, "POST", leader.URL+"/api/v1/events", publish, map[string]any{"type": "job_failed", "title": "After the failover",
		"delay": "5m"}, http.StatusAccepted)
	if err := leader.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	apptest.WaitFor(t, "the other replica to lead", follower.Leadership.Leading)
	fake.Advance(6 * time.Minute)
	apptest.WaitFor(t, "the event due after the failover", func() bool { return titled(t, follower, client, "After the failover") == 1 })
	if n := titled(t, follower, client, "Later") + titled(t, follower, client, "nightly is late"); n != 2 {
		t.Fatalf("%d notifications of the first round after the failover, want 2 (none again)", n)
	}
}

// TestClusterHeartbeatPings sends a check's success and fail pings through
// both replicas at once and checks that the alerts follow the check's log
// as one replica alone would raise them: each move from up to down one
// "failed", each move back one "back up". Without a lock across replicas
// two fails seen by both as the first would raise two alerts.
func TestClusterHeartbeatPings(t *testing.T) {
	a, b, _ := replicas(t)
	client := a.TokenFor("alice", false, app.ScopeClient)
	alice, err := a.Users.FindUserByName(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	name, period := "backup", int64(3600)
	h, err := a.Heartbeats.Create(context.Background(), alice.ID, heartbeat.Input{Name: &name, PeriodSeconds: &period})
	if err != nil {
		t.Fatal(err)
	}
	const pings = 40
	var wg sync.WaitGroup
	for i := range pings {
		wg.Go(func() {
			base := []*servertest.App{a, b}[i%2].URL
			path := "/ping/" + h.Key
			if i%3 != 0 {
				path += "/fail"
			}
			res, err := http.Get(base + path)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("ping %s: %d", path, res.StatusCode)
			}
		})
	}
	wg.Wait()
	_, log, err := b.Heartbeats.Get(context.Background(), alice.ID, h.ID, pings)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != pings {
		t.Fatalf("%d pings in the log, want %d", len(log), pings)
	}
	state, failed, back := app.HeartbeatNew, 0, 0
	for i := len(log) - 1; i >= 0; i-- { // oldest first
		switch log[i].Kind {
		case app.SignalFail:
			if state != app.HeartbeatDown {
				failed++
			}
			state = app.HeartbeatDown
		case app.SignalSuccess:
			if state.Failing() {
				back++
			}
			state = app.HeartbeatUp
		}
	}
	if got := titled(t, a, client, "backup failed"); got != failed {
		t.Errorf("%d \"failed\" alerts, want %d (the log's moves to down)", got, failed)
	}
	if got := titled(t, a, client, "backup is back up"); got != back {
		t.Errorf("%d \"back up\" notifications, want %d (the log's moves back)", got, back)
	}
}
