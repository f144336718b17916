package bus_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/bus/bustest"
)

// replica connects one replica to nats under subject prefix.
func replica(t testing.TB, url, prefix string) *bus.Network {
	t.Helper()
	n, err := bus.Connect(app.ClusterConfig{NATSURL: url, Subject: prefix, ReconnectBuffer: 8 << 20}, t.Name(), apptest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Close() })
	apptest.WaitFor(t, "the connection to NATS", func() bool { return n.Ready() == nil })
	return n
}

// TestTopicOverNATS publishes on one replica: every replica's subscribers
// get the changes in publish order, the publisher's own included; the
// own-change subscribers only on the publisher; and a cluster with another
// subject prefix gets nothing.
func TestTopicOverNATS(t *testing.T) {
	nats := bustest.Start(t)
	a, b, other := replica(t, nats.URL, "one"), replica(t, nats.URL, "one"), replica(t, nats.URL, "two")
	onA, onB, onOther := bus.Open[app.Change](a, "changes"), bus.Open[app.Change](b, "changes"), bus.Open[app.Change](other, "changes")
	var strays atomic.Int32
	onOther.Subscribe(func(app.Change) { strays.Add(1) })
	const n = 500
	got := map[string]chan string{"a": make(chan string, n), "b": make(chan string, n)}
	var ownA, ownB atomic.Int32
	onA.SubscribeOwn(func(app.Change) { ownA.Add(1) })
	onB.SubscribeOwn(func(app.Change) { ownB.Add(1) })
	onA.Subscribe(func(c app.Change) { got["a"] <- c.ID })
	onB.Subscribe(func(c app.Change) { got["b"] <- c.ID })
	if err := b.Flush(5 * time.Second); err != nil { // b's subscription is registered with NATS
		t.Fatal(err)
	}
	for i := range n {
		onA.Publish(context.Background(), app.Change{Kind: app.ChangeRead, UserID: "u", ID: strconv.Itoa(i)})
	}
	for name, ch := range got {
		for i := range n {
			select {
			case id := <-ch:
				if want := strconv.Itoa(i); id != want {
					t.Fatalf("replica %s: change %d is %q, want %q", name, i, id, want)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("replica %s got %d of %d changes", name, i, n)
			}
		}
	}
	if s := a.Stats(); s.Published != n || s.Received != n || s.Errors != 0 || !s.Connected {
		t.Fatalf("publisher's stats %+v", s)
	}
	if ownA.Load() != n || ownB.Load() != 0 {
		t.Fatalf("own subscribers: publisher %d, other replica %d; want %d and 0", ownA.Load(), ownB.Load(), n)
	}
	if err := other.Flush(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if strays.Load() != 0 {
		t.Fatalf("the other cluster got %d changes", strays.Load())
	}
}

// TestNATSUnreachable: the connection is made in the background; Ready
// reports it until NATS is there, and a publish meanwhile waits in the
// reconnect buffer instead of failing.
func TestNATSUnreachable(t *testing.T) {
	nats := bustest.Start(t)
	nats.Stop()
	n, err := bus.Connect(app.ClusterConfig{NATSURL: nats.URL, Subject: "belfry", ReconnectBuffer: 1 << 20}, t.Name(), apptest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if err := n.Ready(); err == nil || app.ErrorKind(err) != app.EUNAVAILABLE {
		t.Fatalf("Ready with NATS down = %v, want EUNAVAILABLE", err)
	}
	topic := bus.Open[string](n, "quiet")
	got := make(chan string, 1)
	topic.Subscribe(func(id string) { got <- id })
	topic.Publish(context.Background(), "u1")
	nats.Restart()
	apptest.WaitFor(t, "the connection to NATS", func() bool { return n.Ready() == nil })
	select {
	case id := <-got:
		if id != "u1" {
			t.Fatalf("got %q", id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the change published before NATS was up never arrived")
	}
	if _, err := bus.Connect(app.ClusterConfig{NATSURL: "nats://[::1", Subject: "belfry"}, "x", nil); app.ErrorKind(err) != app.EINVALID {
		t.Fatalf("a malformed URL: %v, want EINVALID", err)
	}
}
