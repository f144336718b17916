package db

import (
	"context"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// NextPushDue leaves out the hosts the worker skips (busy or paused): the
// earliest push of another host is the next due, and none is left when
// every host is skipped.
func TestPushStore_NextPushDueSkipsHosts(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewPushStore(d)
	alice := mustUser(t, d, "alice")
	for _, host := range []string{"a.example", "b.example"} {
		sub := &app.PushSubscription{UserID: alice.ID, Endpoint: "https://" + host + "/push/1", Host: host, P256dh: "key", Auth: "auth", Name: host}
		if _, err := s.SaveSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
		// a.example's push is due first, b.example's a minute later.
		at := clock.Now()
		if host == "b.example" {
			at = at.Add(time.Minute)
		}
		p := &app.Push{SubscriptionID: sub.ID, UserID: alice.ID, Kind: app.PushNotify, Payload: []byte(`{}`), Urgency: "normal",
			TTL: time.Hour, NextAttemptAt: at, CreatedAt: clock.Now()}
		if n, err := s.QueuePushes(ctx, []*app.Push{p}); err != nil || n != 1 {
			t.Fatalf("queued %d, %v", n, err)
		}
	}
	for _, c := range []struct {
		skip []string
		ok   bool
		at   time.Time
	}{
		{nil, true, clock.Now()},
		{[]string{"b.example"}, true, clock.Now()},
		{[]string{"a.example"}, true, clock.Now().Add(time.Minute)},
		{[]string{"a.example", "b.example"}, false, time.Time{}},
	} {
		at, ok, err := s.NextPushDue(ctx, c.skip)
		if err != nil || ok != c.ok || !at.Equal(c.at) {
			t.Errorf("skipping %v: next due %v %v %v, want %v %v", c.skip, at, ok, err, c.at, c.ok)
		}
	}
}
