package webhook

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

// TestService_CreateAndUpdate: an unnamed webhook is named after its host,
// on create and on update; only generic webhooks get a secret; the kind
// cannot change; a URL change is checked against allow_private.
func TestService_CreateAndUpdate(t *testing.T) {
	f := newFixture(t, withConfig(func(c *app.WebhooksConfig) { c.AllowPrivate = false }))
	s := f.service
	ctx := context.Background()
	w, secret, err := s.Create(ctx, f.alice.ID, Input{Kind: app.WebhookSlack, URL: "https://1.1.1.1/services/x", Events: []string{"job.failed"}})
	if err != nil || w.Name != "1.1.1.1" || secret != "" || w.Secret != "" || !w.Enabled {
		t.Fatalf("create slack: %+v, %q, %v", w, secret, err)
	}
	off := false
	g, secret, err := s.Create(ctx, f.alice.ID, Input{Kind: app.WebhookGeneric, URL: "https://1.1.1.1/g", Events: []string{"job.failed"}, Name: "ci", Enabled: &off})
	if err != nil || g.Name != "ci" || !strings.HasPrefix(secret, "whsec_") || g.Enabled {
		t.Fatalf("create generic: %+v, %q, %v", g, secret, err)
	}

	empty, other := "", "https://9.9.9.9/other"
	if w, err = s.Update(ctx, f.alice.ID, g.ID, Changes{Name: &empty, URL: &other}); err != nil || w.Name != "9.9.9.9" || w.URL != other {
		t.Fatalf("update: %+v, %v", w, err)
	}
	slack, private := app.WebhookSlack, "http://10.0.0.1/x"
	for name, tc := range map[string]struct {
		ch   Changes
		want string
	}{
		"kind":        {Changes{Kind: &slack}, "Field kind cannot change"},
		"private url": {Changes{URL: &private}, "private network"},
		"no events":   {Changes{Events: &[]string{}}, "at least one event"},
	} {
		if _, err := s.Update(ctx, f.alice.ID, g.ID, tc.ch); app.ErrorKind(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), tc.want) {
			t.Errorf("%s: %v, want EINVALID %q", name, err, tc.want)
		}
	}
	if got, _ := s.Get(ctx, f.alice.ID, g.ID); got.URL != other || len(got.Events) != 1 {
		t.Errorf("a refused update was stored: %+v", got)
	}
	if _, err := s.Update(ctx, f.bob.ID, g.ID, Changes{Name: &empty}); app.ErrorKind(err) != app.ENOTFOUND {
		t.Errorf("bob updates alice's webhook: %v", err)
	}
}

// TestService_Limit: a user has at most app.MaxWebhooksPerUser webhooks.
func TestService_Limit(t *testing.T) {
	f := newFixture(t)
	s := f.service
	for i := 0; i < app.MaxWebhooksPerUser; i++ {
		f.hook(f.alice, app.WebhookSlack, fmt.Sprintf("https://1.1.1.1/%d", i))
	}
	_, _, err := s.Create(context.Background(), f.alice.ID, Input{Kind: app.WebhookSlack, URL: "https://1.1.1.1/more", Events: []string{"job.failed"}})
	if app.ErrorKind(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), "the most allowed") {
		t.Fatalf("one webhook too many: %v", err)
	}
	if _, _, err := s.Create(context.Background(), f.bob.ID, Input{Kind: app.WebhookSlack, URL: "https://1.1.1.1/bob", Events: []string{"job.failed"}}); err != nil {
		t.Fatalf("bob is limited by alice's webhooks: %v", err)
	}
}

// TestService_EnableRotateDelete: resuming clears the reason a webhook was
// switched off, only generic webhooks rotate a secret, and every method
// treats another user's webhook as missing.
func TestService_EnableRotateDelete(t *testing.T) {
	f := newFixture(t)
	s := f.service
	ctx := context.Background()
	g, slack := f.hook(f.alice, app.WebhookGeneric, "https://1.1.1.1/g"), f.hook(f.alice, app.WebhookSlack, "https://1.1.1.1/s")
	if err := f.store.DisableWebhook(ctx, g.ID, "the receiver answered 410 Gone"); err != nil {
		t.Fatal(err)
	}
	if w, err := s.SetEnabled(ctx, f.alice.ID, g.ID, true); err != nil || !w.Enabled || w.DisabledReason != "" {
		t.Fatalf("resume: %+v, %v", w, err)
	}
	if w, err := s.SetEnabled(ctx, f.alice.ID, g.ID, false); err != nil || w.Enabled {
		t.Fatalf("pause: %+v, %v", w, err)
	}
	w, secret, err := s.RotateSecret(ctx, f.alice.ID, g.ID)
	if stored, _ := s.Get(ctx, f.alice.ID, g.ID); err != nil || secret == g.Secret || stored.Secret != secret || w.ID != g.ID {
		t.Fatalf("rotate: %q, %v", secret, err)
	}
	if _, _, err := s.RotateSecret(ctx, f.alice.ID, slack.ID); app.ErrorKind(err) != app.EINVALID {
		t.Errorf("rotate a slack webhook: %v", err)
	}

	bob := f.bob.ID
	for name, call := range map[string]func() error{
		"get":        func() error { _, err := s.Get(ctx, bob, g.ID); return err },
		"enable":     func() error { _, err := s.SetEnabled(ctx, bob, g.ID, true); return err },
		"rotate":     func() error { _, _, err := s.RotateSecret(ctx, bob, g.ID); return err },
		"test":       func() error { _, _, err := s.Test(ctx, f.bob, g.ID); return err },
		"deliveries": func() error { _, err := s.Deliveries(ctx, bob, app.DeliveryFilter{WebhookID: g.ID}); return err },
		"delete":     func() error { _, err := s.Delete(ctx, bob, g.ID); return err },
	} {
		if err := call(); app.ErrorKind(err) != app.ENOTFOUND {
			t.Errorf("%s of alice's webhook by bob: %v, want ENOTFOUND", name, err)
		}
	}

	if w, err := s.Delete(ctx, f.alice.ID, g.ID); err != nil || w.ID != g.ID {
		t.Fatalf("delete: %+v, %v", w, err)
	}
	if _, err := s.Get(ctx, f.alice.ID, g.ID); app.ErrorKind(err) != app.ENOTFOUND {
		t.Errorf("deleted webhook found: %v", err)
	}
}
