package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/db"
)

// internalSecret is what a LAN service answers that a webhook must not read.
const internalSecret = "db_password=hunter2"

// lanService is a loopback HTTP service answering 500 with internalSecret.
func lanService(t *testing.T) string {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(internalSecret))
	}))
	t.Cleanup(s.Close)
	return s.URL
}

// TestPrivateAnswersOnlyForAdmins: with the homelab default
// (allow_private), a user's webhook may reach a loopback service, but what
// the service answers stays out of the user's delivery log, from the
// outbox and from "send test" alike; an admin's log keeps it.
func TestPrivateAnswersOnlyForAdmins(t *testing.T) {
	f := newFixture(t)
	root := apptest.User(t, db.NewUserStore(f.db), "root", true)
	url := lanService(t)
	for _, c := range []struct {
		owner *app.User
		shown bool
	}{{f.alice, false}, {root, true}} {
		w := f.hook(c.owner, app.WebhookGeneric, url)
		f.publish(c.owner, app.Event{})
		f.drain()
		_, test, err := f.service.Test(context.Background(), c.owner, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		log := f.log(w)
		for _, d := range []*app.WebhookDelivery{log[0], test} {
			if !strings.HasPrefix(d.LastError, "HTTP 500") || d.ResponseCode != 500 {
				t.Fatalf("%s: %+v", c.owner.Username, d)
			}
			if got := strings.Contains(d.LastError, internalSecret); got != c.shown {
				t.Errorf("%s (admin %v): last_error %q", c.owner.Username, c.owner.IsAdmin, d.LastError)
			}
			if !c.shown && !strings.Contains(d.LastError, "shown only to admins") {
				t.Errorf("the hidden body is not explained: %q", d.LastError)
			}
		}
	}
}

// TestPrivateAdminsOnly: with webhooks.private_admins_only, only admins may
// create a webhook to a private network, and a user's webhook stored before
// the switch is refused when dialled, for good.
func TestPrivateAdminsOnly(t *testing.T) {
	f := newAPIFixture(t, withConfig(func(c *app.WebhooksConfig) { c.PrivateAdminsOnly = true }))
	root := apptest.User(t, db.NewUserStore(f.db), "root", true)
	rcv := newReceiver(t, f.clock)
	body := `{"kind":"generic","url":"` + rcv.URL + `","events":["job.failed"]}`
	rec := f.do("POST", "/api/webhooks", f.aliceSession, body)
	wantAPIError(t, rec, 400, app.CodeInvalidParameter)
	if !strings.Contains(rec.Body.String(), "private_admins_only") {
		t.Fatalf("the refusal does not name the setting: %s", rec.Body)
	}
	if _, _, err := f.service.Create(context.Background(), root.ID, Input{Kind: app.WebhookGeneric, URL: rcv.URL, Events: []string{"job.failed"}}); err != nil {
		t.Fatalf("an admin's private webhook was refused: %v", err)
	}
	if _, _, err := f.service.Create(context.Background(), f.alice.ID, Input{Kind: app.WebhookGeneric, URL: "https://93.184.216.34/hook", Events: []string{"job.failed"}}); err != nil {
		t.Fatalf("a public webhook was refused: %v", err)
	}

	old := f.hook(f.alice, app.WebhookGeneric, rcv.URL)
	f.publish(f.alice, app.Event{})
	f.publish(root, app.Event{})
	f.drain()
	if d := f.log(old)[0]; d.Status != app.DeliveryFailed || !strings.Contains(d.LastError, "private_admins_only") {
		t.Fatalf("a user's stored private webhook was dialled: %+v", d)
	}
	if n := len(rcv.requests()); n != 1 {
		t.Fatalf("the receiver got %d requests, want the admin's 1", n)
	}
}
