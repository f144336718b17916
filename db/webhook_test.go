package db

import (
	"context"
	"reflect"
	"testing"

	"github.com/belfry/belfry/app"
)

// mustWebhook stores an enabled webhook of userID receiving events.
func mustWebhook(t testing.TB, d *DB, userID string, kind app.WebhookKind, events ...string) *app.Webhook {
	t.Helper()
	w := &app.Webhook{UserID: userID, Name: string(kind), Kind: kind, URL: "https://example.org/hook",
		Events: events, Enabled: true}
	if kind == app.WebhookGeneric {
		w.Secret = "whsec_c2VjcmV0"
	}
	if err := NewWebhookStore(d).CreateWebhook(context.Background(), w); err != nil {
		t.Fatalf("create webhook: %v", err)
	}
	return w
}

func TestWebhookStore_CRUD(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		d, clock := mustOpen(t)
		s := NewWebhookStore(d)
		alice := mustUser(t, d, "alice")
		w := &app.Webhook{UserID: alice.ID, Name: "phone", Kind: app.WebhookNtfy, URL: "http://ntfy.lan/alerts",
			Events: []string{"job.failed"}, Enabled: true, AuthUsername: "u", AuthPassword: "p"}
		if err := s.CreateWebhook(ctx, w); err != nil {
			t.Fatal(err)
		}
		if w.ID == "" || !w.CreatedAt.Equal(clock.Now()) {
			t.Fatalf("fields not filled: %+v", w)
		}
		got, err := s.FindWebhook(ctx, alice.ID, w.ID)
		if err != nil || !reflect.DeepEqual(got, w) {
			t.Fatalf("find = %+v, %v; want %+v", got, err, w)
		}
		w.Name, w.Events, w.AuthPassword = "pager", []string{"job.failed", "quota.warning"}, "p2"
		if err := s.UpdateWebhook(ctx, w); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListWebhooks(ctx, alice.ID)
		if err != nil || len(list) != 1 || list[0].Name != "pager" || len(list[0].Events) != 2 || list[0].AuthPassword != "p2" {
			t.Fatalf("list = %+v, %v", list, err)
		}
		if err := s.DeleteWebhook(ctx, alice.ID, w.ID); err != nil {
			t.Fatal(err)
		}
		wantKind(t, s.DeleteWebhook(ctx, alice.ID, w.ID), app.ENOTFOUND)
	})
	t.Run("OtherUser", func(t *testing.T) {
		d, _ := mustOpen(t)
		s := NewWebhookStore(d)
		alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
		w := mustWebhook(t, d, alice.ID, app.WebhookSlack, "job.failed")
		_, err := s.FindWebhook(ctx, bob.ID, w.ID)
		wantKind(t, err, app.ENOTFOUND)
		bobs := *w
		bobs.UserID, bobs.Name = bob.ID, "stolen"
		wantKind(t, s.UpdateWebhook(ctx, &bobs), app.ENOTFOUND)
		wantKind(t, s.DeleteWebhook(ctx, bob.ID, w.ID), app.ENOTFOUND)
		if list, err := s.ListWebhooks(ctx, bob.ID); err != nil || len(list) != 0 {
			t.Fatalf("bob lists %+v, %v", list, err)
		}
		if got, _ := s.FindWebhook(ctx, alice.ID, w.ID); got.Name != "slack" {
			t.Fatalf("alice's webhook changed: %+v", got)
		}
	})
	t.Run("MissingUser", func(t *testing.T) {
		d, _ := mustOpen(t)
		w := &app.Webhook{UserID: missingID, Kind: app.WebhookSlack, URL: "https://x", Events: []string{"job.failed"}}
		wantKind(t, NewWebhookStore(d).CreateWebhook(ctx, w), app.ENOTFOUND)
	})
}

func TestWebhookStore_SubscribedWebhooks(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewWebhookStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	both := mustWebhook(t, d, alice.ID, app.WebhookDiscord, "job.failed", "job.completed")
	mustWebhook(t, d, alice.ID, app.WebhookSlack, "quota.warning")
	off := mustWebhook(t, d, alice.ID, app.WebhookNtfy, "job.failed")
	off.Enabled = false
	if err := s.UpdateWebhook(ctx, off); err != nil {
		t.Fatal(err)
	}
	mustWebhook(t, d, bob.ID, app.WebhookDiscord, "job.failed")
	got, err := s.SubscribedWebhooks(ctx, alice.ID, "job.failed")
	if err != nil || len(got) != 1 || got[0].ID != both.ID {
		t.Fatalf("subscribed = %+v, %v", got, err)
	}
	if got, _ := s.SubscribedWebhooks(ctx, alice.ID, "job"); len(got) != 0 {
		t.Fatalf("a prefix matched: %+v", got)
	}
}

func TestWebhookStore_DisableFailsPending(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewWebhookStore(d)
	alice := mustUser(t, d, "alice")
	w := mustWebhook(t, d, alice.ID, app.WebhookGeneric, "job.failed")
	ds := mustDeliveries(t, d, w, clock.Now(), 2)
	if err := s.DisableWebhook(ctx, w.ID, "The receiver answered 410 Gone."); err != nil {
		t.Fatal(err)
	}
	got, _ := s.FindWebhook(ctx, alice.ID, w.ID)
	if got.Enabled || got.DisabledReason != "The receiver answered 410 Gone." {
		t.Fatalf("not disabled: %+v", got)
	}
	log, _ := s.ListDeliveries(ctx, app.DeliveryFilter{WebhookID: w.ID})
	for _, l := range log {
		if l.Status != app.DeliveryFailed || l.LastError == "" {
			t.Fatalf("delivery %s still %s", l.ID, l.Status)
		}
	}
	if len(log) != len(ds) {
		t.Fatalf("log has %d, want %d", len(log), len(ds))
	}
	wantKind(t, s.DisableWebhook(ctx, missingID, "x"), app.ENOTFOUND)
}
