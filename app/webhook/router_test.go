package webhook

import (
	"encoding/json"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/db"
)

// TestRouter_Dispatch checks the mapping from types to events through the
// real dispatcher: one delivery per subscribed, enabled webhook of the
// recipient, whatever the in-app preference, none for weekly_report.
func TestRouter_Dispatch(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	failed := f.hook(f.alice, app.WebhookGeneric, "http://a.example/1", "job.failed", "quota.warning")
	both := f.hook(f.alice, app.WebhookSlack, "http://a.example/2", "job.failed")
	f.hook(f.alice, app.WebhookDiscord, "http://a.example/3", "job.completed")
	off := f.hook(f.alice, app.WebhookNtfy, "http://a.example/4", "job.failed")
	off.Enabled = false
	if err := f.store.UpdateWebhook(ctx, off); err != nil {
		t.Fatal(err)
	}
	f.hook(f.bob, app.WebhookGeneric, "http://b.example/1", "job.failed")

	if err := db.NewPreferenceStore(f.db).UpdatePreferences(ctx, f.alice.ID, app.Preferences{"job_failed": false}); err != nil {
		t.Fatal(err)
	}
	res := f.publish(f.alice, app.Event{Type: "job_failed", Title: "x", Data: json.RawMessage(`{"k":"v"}`)})
	if len(res.Notifications) != 0 || res.Webhooks != 2 {
		t.Fatalf("job_failed with in-app off: %+v, want no row and 2 webhooks", res)
	}
	if res := f.publish(f.alice, app.Event{Type: "weekly_report", Title: "w"}); res.Webhooks != 0 {
		t.Fatalf("weekly_report queued %d deliveries", res.Webhooks)
	}
	if res := f.publish(f.alice, app.Event{Type: "rule_executed", Title: "r"}); res.Webhooks != 0 {
		t.Fatalf("an unsubscribed event queued %d deliveries", res.Webhooks)
	}
	if res := f.publish(f.alice, app.Event{Type: "quota_warning", Title: "q"}); res.Webhooks != 1 {
		t.Fatalf("quota_warning queued %d deliveries, want 1", res.Webhooks)
	}
	a, b := f.log(failed), f.log(both)
	if len(a) != 2 || len(b) != 1 || a[0].Event != "job.failed" || a[1].Event != "quota.warning" ||
		a[0].NotificationID != b[0].NotificationID || a[0].ID == b[0].ID || a[0].Status != app.DeliveryPending {
		t.Fatalf("deliveries %+v / %+v", a, b)
	}
	var s snapshot
	if err := json.Unmarshal(a[0].Payload, &s); err != nil || s.Title != "x" || s.UserID != f.alice.ID ||
		string(s.Data) != `{"k":"v"}` || !s.CreatedAt.Equal(epoch) || s.ID != a[0].NotificationID {
		t.Fatalf("payload snapshot %s (%v)", a[0].Payload, err)
	}
}

// TestRouter_ConfigEvent: an event name declared in config is routed.
func TestRouter_ConfigEvent(t *testing.T) {
	types, err := app.NewTypes([]app.NotificationType{{Name: "backup_done", InApp: true, WebhookEvent: "backup.done"}})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, func(d *Deps) { d.Types = types })
	w := f.hook(f.alice, app.WebhookGeneric, "http://a.example/", "backup.done")
	ds, err := f.router.Deliveries(t.Context(), app.NotificationType{Name: "backup_done", WebhookEvent: "backup.done"},
		&app.Notification{ID: "n", UserID: f.alice.ID, Title: "t", CreatedAt: epoch})
	if err != nil || len(ds) != 1 || ds[0].WebhookID != w.ID || ds[0].Event != "backup.done" {
		t.Fatalf("deliveries %+v, %v", ds, err)
	}
}
