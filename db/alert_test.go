package db

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

func TestAlertStore(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewAlertStore(d)
	notes := NewNotificationStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	key := app.AlertKey{PublisherID: alice.ID, Source: "alertmanager", Topic: "alertmanager", Fingerprint: "1a30ba71cca2921f"}
	first := append(mustNotify(t, d, clock, alice.ID, "a"), mustNotify(t, d, clock, bob.ID, "b")...)
	refs := func(ns ...*app.Notification) []app.NotificationRef {
		var out []app.NotificationRef
		for _, n := range ns {
			out = append(out, app.NotificationRef{ID: n.ID, UserID: n.UserID})
		}
		return out
	}
	started := clock.Now().Add(-time.Minute)
	t.Run("Open", func(t *testing.T) {
		if err := s.OpenAlert(ctx, key, started, refs(first...)); err != nil {
			t.Fatal(err)
		}
		got, err := s.OpenAlerts(ctx, key)
		want := []app.OpenAlert{{NotificationID: first[0].ID, UserID: alice.ID, StartsAt: started}, {NotificationID: first[1].ID, UserID: bob.ID, StartsAt: started}}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("open %+v, %v; want %+v", got, err, want)
		}
	})
	t.Run("OtherKeys", func(t *testing.T) {
		for _, k := range []app.AlertKey{
			{PublisherID: bob.ID, Source: key.Source, Topic: key.Topic, Fingerprint: key.Fingerprint},
			{PublisherID: alice.ID, Source: "grafana", Topic: key.Topic, Fingerprint: key.Fingerprint},
			{PublisherID: alice.ID, Source: key.Source, Topic: "homelab", Fingerprint: key.Fingerprint},
			{PublisherID: alice.ID, Source: key.Source, Topic: key.Topic, Fingerprint: "other"},
		} {
			if got, err := s.OpenAlerts(ctx, k); err != nil || len(got) != 0 {
				t.Errorf("%+v: %+v, %v", k, got, err)
			}
		}
	})
	t.Run("RefiringReplaces", func(t *testing.T) {
		again := mustNotify(t, d, clock, alice.ID, "a again")
		later := clock.Now()
		if err := s.OpenAlert(ctx, key, later, refs(again...)); err != nil {
			t.Fatal(err)
		}
		got, _ := s.OpenAlerts(ctx, key)
		if want := []app.OpenAlert{{NotificationID: again[0].ID, UserID: alice.ID, StartsAt: later}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("open %+v, want %+v", got, want)
		}
	})
	t.Run("GoesWithTheNotification", func(t *testing.T) {
		got, _ := s.OpenAlerts(ctx, key)
		if err := notes.DeleteNotification(ctx, alice.ID, got[0].NotificationID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.OpenAlerts(ctx, key); len(got) != 0 {
			t.Fatalf("open after the notification was deleted: %+v", got)
		}
	})
	t.Run("DeletedMeanwhileIsSkipped", func(t *testing.T) {
		gone := app.NotificationRef{ID: missingID, UserID: alice.ID}
		kept := mustNotify(t, d, clock, alice.ID, "kept")
		if err := s.OpenAlert(ctx, key, started, append(refs(kept...), gone)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.OpenAlerts(ctx, key); len(got) != 1 || got[0].NotificationID != kept[0].ID {
			t.Fatalf("open %+v", got)
		}
	})
	t.Run("Close", func(t *testing.T) {
		if err := s.CloseAlert(ctx, key); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.OpenAlerts(ctx, key); len(got) != 0 {
			t.Fatalf("open after close: %+v", got)
		}
	})
	t.Run("ErrUnknownPublisher", func(t *testing.T) {
		n := mustNotify(t, d, clock, alice.ID, "x")
		k := app.AlertKey{PublisherID: missingID, Source: "grafana", Fingerprint: "f"}
		wantKind(t, s.OpenAlert(ctx, k, started, refs(n...)), app.ENOTFOUND)
	})
}
