package db

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// mustDeliveries queues n deliveries for w, due at due, through the
// dispatch path (CreateNotifications).
func mustDeliveries(t testing.TB, d *DB, w *app.Webhook, due time.Time, n int) []*app.WebhookDelivery {
	t.Helper()
	var ds []*app.WebhookDelivery
	for i := 0; i < n; i++ {
		ds = append(ds, &app.WebhookDelivery{WebhookID: w.ID, NotificationID: newID(), Event: "job.failed",
			Payload: json.RawMessage(`{"title":"t"}`), NextAttemptAt: due, CreatedAt: due})
	}
	if err := NewNotificationStore(d).CreateNotifications(context.Background(), nil, ds); err != nil {
		t.Fatalf("queue deliveries: %v", err)
	}
	return ds
}

func TestCreateNotifications_WithDeliveries(t *testing.T) {
	ctx := context.Background()
	t.Run("OneTransaction", func(t *testing.T) {
		d, clock := mustOpen(t)
		alice := mustUser(t, d, "alice")
		w := mustWebhook(t, d, alice.ID, app.WebhookGeneric, "job.failed")
		n := newNotification(d, alice.ID, "n")
		ds := []*app.WebhookDelivery{{WebhookID: w.ID, NotificationID: "x", Event: "job.failed",
			Payload: json.RawMessage(`{"a":1}`), NextAttemptAt: clock.Now(), CreatedAt: clock.Now()}}
		// A second notification with the same id makes the whole transaction
		// fail: neither the rows nor the delivery may remain.
		dup := newNotification(d, alice.ID, "dup")
		n.ID, dup.ID = newID(), ""
		dup.ID = n.ID
		err := NewNotificationStore(d).CreateNotifications(ctx, []*app.Notification{n, dup}, ds)
		wantKind(t, err, app.ECONFLICT)
		if c, _ := NewWebhookStore(d).CountPendingDeliveries(ctx); c != 0 {
			t.Fatalf("a delivery survived a failed dispatch: %d", c)
		}
		ds[0].ID = ""
		if err := NewNotificationStore(d).CreateNotifications(ctx, []*app.Notification{newNotification(d, alice.ID, "ok")}, ds); err != nil {
			t.Fatal(err)
		}
		log, err := NewWebhookStore(d).ListDeliveries(ctx, app.DeliveryFilter{WebhookID: w.ID})
		if err != nil || len(log) != 1 || log[0].Status != app.DeliveryPending || string(log[0].Payload) != `{"a":1}` || log[0].NotificationID != "x" {
			t.Fatalf("log = %+v, %v", log, err)
		}
	})
	t.Run("DeletedWebhookDropped", func(t *testing.T) {
		d, clock := mustOpen(t)
		alice := mustUser(t, d, "alice")
		w := mustWebhook(t, d, alice.ID, app.WebhookGeneric, "job.failed")
		if err := NewWebhookStore(d).DeleteWebhook(ctx, alice.ID, w.ID); err != nil {
			t.Fatal(err)
		}
		n := newNotification(d, alice.ID, "kept")
		ds := []*app.WebhookDelivery{{WebhookID: w.ID, Event: "job.failed", NextAttemptAt: clock.Now(), CreatedAt: clock.Now()}}
		if err := NewNotificationStore(d).CreateNotifications(ctx, []*app.Notification{n}, ds); err != nil {
			t.Fatalf("dispatch failed because a webhook vanished: %v", err)
		}
		if _, err := NewNotificationStore(d).FindNotification(ctx, n.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestWebhookStore_ClaimDeliveries(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewWebhookStore(d)
	alice := mustUser(t, d, "alice")
	now := clock.Now()
	a := mustWebhook(t, d, alice.ID, app.WebhookGeneric, "job.failed")
	b := mustWebhook(t, d, alice.ID, app.WebhookSlack, "job.failed")
	c := mustWebhook(t, d, alice.ID, app.WebhookDiscord, "job.failed")
	mustDeliveries(t, d, a, now.Add(-time.Minute), 3)
	mustDeliveries(t, d, b, now.Add(-time.Second), 2)
	mustDeliveries(t, d, c, now, 1)
	later := mustDeliveries(t, d, c, now.Add(time.Minute), 1)
	lease := now.Add(5 * time.Minute)

	claims, err := s.ClaimDeliveries(ctx, app.ClaimRequest{Now: now, LeaseUntil: lease, Lanes: 2, PerLane: 2, Busy: []string{b.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) != 2 || claims[0].Webhook.ID != a.ID || len(claims[0].Deliveries) != 2 ||
		claims[1].Webhook.ID != c.ID || len(claims[1].Deliveries) != 1 {
		t.Fatalf("claims = %s", describeClaims(claims))
	}
	if claims[0].Webhook.Secret != a.Secret || !claims[0].Deliveries[0].NextAttemptAt.Equal(lease) {
		t.Fatalf("claim lacks secret or lease: %+v", claims[0])
	}
	// Leased rows are not due again; the third of a is, b is no longer busy.
	claims, err = s.ClaimDeliveries(ctx, app.ClaimRequest{Now: now, LeaseUntil: lease, Lanes: 4, PerLane: 10})
	if err != nil || len(claims) != 2 || claims[0].Webhook.ID != a.ID || len(claims[0].Deliveries) != 1 ||
		claims[1].Webhook.ID != b.ID || len(claims[1].Deliveries) != 2 {
		t.Fatalf("second claims = %s, %v", describeClaims(claims), err)
	}
	if next, ok, err := s.NextDeliveryDue(ctx, nil); err != nil || !ok || !next.Equal(later[0].NextAttemptAt) {
		t.Fatalf("next due = %v %v %v, want %v", next, ok, err, later[0].NextAttemptAt)
	}
	if next, ok, _ := s.NextDeliveryDue(ctx, []string{c.ID}); !ok || !next.Equal(lease) {
		t.Fatalf("next due without c = %v %v, want the lease end", next, ok)
	}
	// After the lease ends (a crash), the deliveries are due again.
	claims, _ = s.ClaimDeliveries(ctx, app.ClaimRequest{Now: lease, LeaseUntil: lease.Add(time.Minute), Lanes: 4, PerLane: 10})
	total := 0
	for _, c := range claims {
		total += len(c.Deliveries)
	}
	if total != 7 {
		t.Fatalf("after the lease %d deliveries were due, want 7", total)
	}
}

func TestWebhookStore_ClaimFailsDisabled(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewWebhookStore(d)
	alice := mustUser(t, d, "alice")
	w := mustWebhook(t, d, alice.ID, app.WebhookGeneric, "job.failed")
	// The row is written behind the disable's back, as a racing dispatch would.
	if _, err := d.write.Exec(`UPDATE webhooks SET enabled = 0`); err != nil {
		t.Fatal(err)
	}
	mustDeliveries(t, d, w, clock.Now(), 1)
	claims, err := s.ClaimDeliveries(ctx, app.ClaimRequest{Now: clock.Now(), LeaseUntil: clock.Now().Add(time.Minute), Lanes: 1, PerLane: 1})
	if err != nil || len(claims) != 0 {
		t.Fatalf("claimed %s, %v", describeClaims(claims), err)
	}
	log, _ := s.ListDeliveries(ctx, app.DeliveryFilter{WebhookID: w.ID})
	if log[0].Status != app.DeliveryFailed {
		t.Fatalf("delivery of a disabled webhook is %s", log[0].Status)
	}
}

func TestWebhookStore_RecordExpeditePrune(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewWebhookStore(d)
	alice := mustUser(t, d, "alice")
	w := mustWebhook(t, d, alice.ID, app.WebhookGeneric, "job.failed")
	now := clock.Now()
	ds := mustDeliveries(t, d, w, now, 3)

	ds[0].Status, ds[0].Attempts, ds[0].ResponseCode, ds[0].DurationMS, ds[0].UpdatedAt = app.DeliveryDelivered, 1, 204, 12, now
	ds[1].Attempts, ds[1].LastError, ds[1].NextAttemptAt, ds[1].UpdatedAt = 1, "HTTP 503", now.Add(time.Hour), now
	ds[2].Status, ds[2].Attempts, ds[2].UpdatedAt = app.DeliveryFailed, 12, now.Add(time.Hour)
	if err := s.RecordAttempts(ctx, ds); err != nil {
		t.Fatal(err)
	}
	log, err := s.ListDeliveries(ctx, app.DeliveryFilter{WebhookID: w.ID, Status: app.DeliveryDelivered})
	if err != nil || len(log) != 1 || log[0].ResponseCode != 204 || log[0].DurationMS != 12 || log[0].Attempts != 1 {
		t.Fatalf("delivered log = %+v, %v", log, err)
	}
	if n, _ := s.CountPendingDeliveries(ctx); n != 1 {
		t.Fatalf("pending = %d, want 1", n)
	}
	if n, err := s.ExpediteDeliveries(ctx, w.ID, now); err != nil || n != 1 {
		t.Fatalf("expedited %d, %v", n, err)
	}
	if next, _, _ := s.NextDeliveryDue(ctx, nil); !next.Equal(now) {
		t.Fatalf("expedited delivery due at %v, want %v", next, now)
	}
	// Only the delivered row is older than the cut-off; pending rows are never pruned.
	if n, err := s.PruneDeliveries(ctx, now.Add(time.Minute)); err != nil || n != 1 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	if log, _ := s.ListDeliveries(ctx, app.DeliveryFilter{WebhookID: w.ID}); len(log) != 2 {
		t.Fatalf("after prune %d rows, want 2", len(log))
	}
}

func TestWebhookStore_ListDeliveriesPages(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewWebhookStore(d)
	alice := mustUser(t, d, "alice")
	w := mustWebhook(t, d, alice.ID, app.WebhookGeneric, "job.failed")
	other := mustWebhook(t, d, alice.ID, app.WebhookGeneric, "job.failed")
	mustDeliveries(t, d, other, clock.Now(), 2)
	ds := mustDeliveries(t, d, w, clock.Now(), 5)
	var seen []string
	before := ""
	for {
		page, err := s.ListDeliveries(ctx, app.DeliveryFilter{WebhookID: w.ID, Limit: 2, Before: before})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, p := range page {
			seen = append(seen, p.ID)
		}
		before = page[len(page)-1].ID
	}
	if len(seen) != 5 || seen[0] != ds[4].ID || seen[4] != ds[0].ID {
		t.Fatalf("pages = %v", seen)
	}
}

func TestWebhookDeliveryQueryPlans(t *testing.T) {
	d, _ := mustOpen(t)
	for name, tc := range map[string]struct {
		q     string
		index string
	}{
		"ClaimLanes": {`SELECT id FROM (SELECT *,
			(SELECT next_attempt_at FROM webhook_deliveries INDEXED BY webhook_deliveries_waiting
			 WHERE webhook_id = webhooks.id AND status = 'pending' ORDER BY next_attempt_at LIMIT 1) AS due
			FROM webhooks WHERE enabled = 1 AND id NOT IN (SELECT value FROM json_each('[]')))
			WHERE due <= 5 ORDER BY due, id LIMIT 4`, "webhook_deliveries_waiting (webhook_id=?)"},
		"ClaimDeliveries": {`SELECT id FROM webhook_deliveries INDEXED BY webhook_deliveries_waiting
			WHERE webhook_id = 'x' AND status = 'pending' AND next_attempt_at <= 5 ORDER BY next_attempt_at, id LIMIT 20`,
			"webhook_deliveries_waiting (webhook_id=? AND next_attempt_at<?)"},
		"FailDisabled": {`SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= 5
			AND webhook_id IN (SELECT id FROM webhooks WHERE enabled = 0)`, "webhook_deliveries_waiting (webhook_id=? AND next_attempt_at<?)"},
		"NextDue": {`SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'`, "webhook_deliveries_due"},
		"NextDueExcluding": {`SELECT min(next) FROM (SELECT
			(SELECT next_attempt_at FROM webhook_deliveries INDEXED BY webhook_deliveries_waiting
			 WHERE webhook_id = w.id AND status = 'pending' ORDER BY next_attempt_at LIMIT 1) AS next
			FROM webhooks w WHERE w.id NOT IN (SELECT value FROM json_each('[]')))`, "webhook_deliveries_waiting (webhook_id=?)"},
		"Log":      {`SELECT id FROM webhook_deliveries WHERE webhook_id = 'x' AND id < 'y' ORDER BY id DESC LIMIT 50`, "webhook_deliveries_log"},
		"Expedite": {`SELECT id FROM webhook_deliveries WHERE webhook_id = 'x' AND status = 'pending' AND next_attempt_at > 5`, "webhook_deliveries_waiting"},
		"Prune":    {`SELECT rowid FROM webhook_deliveries WHERE status <> 'pending' AND updated_at < 5 LIMIT 1000`, "webhook_deliveries_done"},
	} {
		t.Run(name, func(t *testing.T) {
			plan := queryPlan(t, d, tc.q)
			// Only the lane pick sorts: the handful of webhooks with a due delivery.
			sorts := strings.Contains(plan, "TEMP B-TREE") && name != "ClaimLanes"
			if !strings.Contains(plan, tc.index) || sorts {
				t.Fatalf("plan does not use %s:\n%s", tc.index, plan)
			}
		})
	}
}

func describeClaims(claims []*app.DeliveryClaim) string {
	var b strings.Builder
	for _, c := range claims {
		b.WriteString(c.Webhook.Name)
		b.WriteString(":")
		b.WriteString(strings.Repeat("d", len(c.Deliveries)))
		b.WriteString(" ")
	}
	return b.String()
}
