package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// hostileWebhooks returns webhooks of every kind and state, with hostile
// text wherever a user can put text, and credentials that must never be
// rendered.
func hostileWebhooks() []*app.Webhook {
	at := time.Date(2026, 3, 30, 11, 0, 0, 0, time.UTC)
	return []*app.Webhook{
		{ID: "01900000-0000-7000-8000-0000000000c1", Name: hostile, Kind: app.WebhookGeneric, URL: "https://hooks.example/" + hostile + "?key=" + hostile,
			Events: []string{"job.failed", hostile}, Enabled: true, Secret: "whsec_NEVERSHOWN", CreatedAt: at},
		{ID: "01900000-0000-7000-8000-0000000000c2", Name: "phone", Kind: app.WebhookNtfy, URL: "https://ntfy.example/topicsecret",
			Events: []string{"job.completed"}, Enabled: false, DisabledReason: hostile, AuthUsername: hostile, AuthPassword: "NEVERSHOWN-pw", CreatedAt: at},
		{ID: "01900000-0000-7000-8000-0000000000c3", Name: "ops", Kind: app.WebhookNtfy, URL: "http://ntfy.lan/ops",
			Events: []string{"quota.warning"}, Enabled: true, AuthToken: "tk_NEVERSHOWN", CreatedAt: at},
		{ID: "01900000-0000-7000-8000-0000000000c4", Name: "chat", Kind: app.WebhookDiscord, URL: "https://discord.com/api/webhooks/1/tokentoken",
			Events: []string{"job.failed"}, Enabled: false, CreatedAt: at},
	}
}

func hostileLog() *deliveryLog {
	at := time.Date(2026, 3, 30, 11, 30, 0, 0, time.UTC)
	return &deliveryLog{HookID: "01900000-0000-7000-8000-0000000000c1", More: "/ui/webhooks/x/deliveries?before=y", Items: []deliveryRow{
		{&app.WebhookDelivery{ID: "d1", Event: "webhook.test", Status: app.DeliveryDelivered, Attempts: 1, ResponseCode: 204, DurationMS: 12, CreatedAt: at}},
		{&app.WebhookDelivery{ID: "d2", Event: hostile, Status: app.DeliveryFailed, Attempts: 12, ResponseCode: 500, LastError: "HTTP 500: " + hostile, CreatedAt: at}},
		{&app.WebhookDelivery{ID: "d3", Event: "job.failed", Status: app.DeliveryPending, Attempts: 2, LastError: "dial tcp: connection refused", NextAttemptAt: at.Add(time.Minute), CreatedAt: at}},
	}}
}

// webhookRenderCases are the webhook templates for
// TestTemplatesRenderEverything.
func webhookRenderCases(usr *app.User) []renderCase {
	events := []string{"job.completed", "job.failed", "quota.warning"}
	v := webhooksPage{Kinds: webhookKinds, Events: events}
	for _, h := range hostileWebhooks() {
		v.Hooks = append(v.Hooks, webhookCard{Hook: viewWebhook(h), Events: events})
	}
	created := viewWebhook(hostileWebhooks()[0])
	withSecret := v
	withSecret.Created, withSecret.Secret = &created, "whsec_"+hostile
	withoutSecret := v
	withoutSecret.Created = &created
	logged := v.Hooks[0]
	logged.Log = hostileLog()
	older := hostileLog()
	older.Continued = true
	page := func(content any) renderCase {
		return renderCase{"webhooks", "layout", layoutView{Title: "Webhooks", User: usr, Nav: navFor(usr, "/webhooks"), Unread: 3, Content: content}}
	}
	return []renderCase{
		page(v),
		page(webhooksPage{Kinds: webhookKinds, Events: events}),
		{"webhooks", "webhook_created", withSecret},
		{"webhooks", "webhook_created", withoutSecret},
		{"webhooks", "webhook_list", v},
		{"webhooks", "webhook_list_oob", v},
		{"webhooks", "webhook_cards", webhooksPage{}},
		{"webhooks", "webhook_card", logged},
		{"webhooks", "webhook_events", v.EventChoices()},
		{"webhooks", "ntfy_auth", v.Hooks[1].Hook.AuthForm()},
		{"webhooks", "webhook_quiet", false},
		{"webhooks", "webhook_secret", secretView{Hook: created, Secret: "whsec_" + hostile}},
		{"webhooks", "webhook_log", logged},
		{"webhooks", "webhook_log", v.Hooks[1]},
		{"webhooks", "delivery_rows", hostileLog()},
		{"webhooks", "delivery_rows", older},
		{"webhooks", "delivery_rows", &deliveryLog{HookID: "x"}},
		{"webhooks", "delivery_more", hostileLog()},
		{"webhooks", "delivery_row", hostileLog().Items[1]},
	}
}

// TestWebhookTemplatesShowNoSecrets renders the page with every kind of
// webhook: credentials and signing secrets never appear, URLs appear only
// redacted, and each card offers what its kind allows.
func TestWebhookTemplatesShowNoSecrets(t *testing.T) {
	u := newTestUI(t)
	_, usr := hostileSamples()
	for _, rc := range webhookRenderCases(usr)[:1] {
		out, err := u.tmpl.execute(rc.set, rc.name, rc.data)
		if err != nil {
			t.Fatal(err)
		}
		html := string(out)
		for _, secret := range []string{"NEVERSHOWN", "topicsecret", "tokentoken", "key=" + escaped} {
			if strings.Contains(html, secret) {
				t.Errorf("the page shows %q", secret)
			}
		}
		for _, want := range []string{
			`<code class="hook-url">https://ntfy.example/topi****</code>`,
			`?key=redacted`,
			`Switched off: ` + escaped,
			`Signs in to ntfy as <strong>` + escaped + `</strong>`,
			`Signs in to ntfy with an access token`,
			`Keep current (user ` + escaped + `)`,
			`Keep current (access token)`,
			`hx-post="/ui/webhooks/01900000-0000-7000-8000-0000000000c1/rotate-secret"`,
			`<h2 id="hook-01900000-0000-7000-8000-0000000000c1-name">` + escaped + `</h2>`,
		} {
			if !strings.Contains(html, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		// Only the generic webhook can rotate a secret; paused ones say so.
		if n := strings.Count(html, "/rotate-secret"); n != 1 {
			t.Errorf("%d rotate buttons, want 1 (the generic webhook)", n)
		}
		if n := strings.Count(html, `class="card hook paused"`); n != 2 {
			t.Errorf("%d paused cards, want 2", n)
		}
	}
}
