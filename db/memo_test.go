package db

import (
	"context"
	"testing"

	"github.com/belfry/belfry/app"
)

// The memoised publish-path reads must see every write that committed
// before them, through any store value on the same database.
func TestMemoSeesWrites(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	alice := mustUser(t, d, "alice")

	prefs := NewPreferenceStore(d)
	if p, err := prefs.Preferences(ctx, alice.ID); err != nil || len(p) != 0 {
		t.Fatalf("preferences = %v, %v", p, err)
	}
	if err := NewPreferenceStore(d).UpdatePreferences(ctx, alice.ID, app.Preferences{"job_failed_toast": false}); err != nil {
		t.Fatal(err)
	}
	p, err := prefs.Preferences(ctx, alice.ID)
	if err != nil || len(p) != 1 || p["job_failed_toast"] {
		t.Fatalf("after update, preferences = %v, %v", p, err)
	}
	p["job_failed_toast"] = true // a caller's change must not leak into the memo
	if again, _ := prefs.Preferences(ctx, alice.ID); again["job_failed_toast"] {
		t.Fatal("a caller's map change reached the memo")
	}

	hooks := NewWebhookStore(d)
	if got, err := hooks.SubscribedWebhooks(ctx, alice.ID, "job.failed"); err != nil || len(got) != 0 {
		t.Fatalf("subscribed = %v, %v", got, err)
	}
	w := mustWebhook(t, d, alice.ID, app.WebhookDiscord, "job.failed")
	if got, _ := hooks.SubscribedWebhooks(ctx, alice.ID, "job.failed"); len(got) != 1 {
		t.Fatalf("after create, subscribed = %v", got)
	}
	if err := NewWebhookStore(d).DisableWebhook(ctx, w.ID, "gone"); err != nil {
		t.Fatal(err)
	}
	if got, _ := hooks.SubscribedWebhooks(ctx, alice.ID, "job.failed"); len(got) != 0 {
		t.Fatalf("after disable, subscribed = %v", got)
	}
}

// A result read under an older generation is never stored.
func TestMemoDropsStaleResults(t *testing.T) {
	m := newMemo[int]()
	_, _, gen := m.get("k")
	m.invalidate()
	m.put("k", gen, 1)
	if _, ok, _ := m.get("k"); ok {
		t.Fatal("a result from before a write was stored")
	}
}
