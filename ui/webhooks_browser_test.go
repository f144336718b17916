package ui_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/chromedp/chromedp"
)

// visible is a script that is true when the element sel selects is shown.
func visible(sel string) string {
	return `(document.querySelector(` + jsString(sel) + `) || {}).offsetParent != null`
}

func TestBrowserWebhookAddTestAndLog(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	recv := newReceiver(t)
	tb := b.signedInTab(t, "ann")
	tb.navigate("/webhooks")

	// The ntfy fields show for ntfy only, and the credential fields for the
	// chosen authentication only.
	if eval[bool](tb, visible(`#webhook-form .hook-auth`)) {
		t.Error("ntfy authentication shown for Discord")
	}
	tb.do(chromedp.SetValue(chromedp.CSS(`#webhook-form select[name=kind]`), "ntfy"))
	tb.until("the ntfy fields", visible(`#webhook-form .hook-auth`)+` && !`+visible(`#webhook-form input[name=auth_username]`))
	tb.do(chromedp.Click(chromedp.CSS(`#webhook-form input[name=auth][value=basic]`)))
	tb.until("the username field", visible(`#webhook-form input[name=auth_username]`)+` && !`+visible(`#webhook-form input[name=auth_token]`))

	// Add a generic webhook: its secret is shown once, its card appears.
	tb.do(
		chromedp.SetValue(chromedp.CSS(`#webhook-form select[name=kind]`), "generic"),
		chromedp.SendKeys(chromedp.CSS(`#webhook-form input[name=name]`), "CI server"),
		chromedp.SendKeys(chromedp.CSS(`#webhook-form input[name=url]`), recv.URL+"/belfry?token=abcdef"),
		chromedp.Click(chromedp.CSS(`#webhook-form button[type=submit]`)),
	)
	tb.until("the secret", `document.getElementById('new-webhook-secret') !== null && document.getElementById('new-webhook-secret').value.startsWith('whsec_')`)
	tb.until("the card", `document.querySelectorAll('#webhook-list .hook').length === 1`)
	w := b.onlyWebhook(ann)
	if w.Name != "CI server" || len(w.Events) != len(b.Types.WebhookEvents()) {
		t.Errorf("stored %+v", w)
	}
	if got := eval[string](tb, `document.querySelector('#webhook-list .hook-url').textContent`); got != recv.URL+"/belf****?token=redacted" {
		t.Errorf("URL shown as %q", got)
	}

	// Send a test: the receiver gets it and the log opens with the delivery.
	card := `#hook-` + w.ID
	tb.do(chromedp.Click(chromedp.CSS(card + ` button[hx-post$="/test"]`)))
	tb.until("the delivery in the log", `document.querySelector('`+card+` .hook-log[open] tr.delivery[data-status="delivered"]') !== null`)
	tb.until("the confirmation", `document.querySelector('#flash .alert-success') !== null`)
	if recv.received() != 1 {
		t.Errorf("the receiver got %d requests", recv.received())
	}
	if got := eval[string](tb, `document.querySelector('`+card+` tr.delivery td:nth-child(5)').textContent`); got[:8] != "HTTP 204" {
		t.Errorf("answer column %q", got)
	}
	tb.shot("webhooks-desktop")

	// A failing receiver: the failure and its reason are logged on top.
	recv.answer(http.StatusServiceUnavailable)
	tb.do(chromedp.Click(chromedp.CSS(card + ` button[hx-post$="/test"]`)))
	tb.until("the failed delivery", `document.querySelector('`+card+` tr.delivery').dataset.status === 'failed'`)
	tb.until("the error", `document.querySelector('#flash .alert-error') !== null`)
	if n := eval[int](tb, `document.querySelectorAll('`+card+` tr.delivery').length`); n != 2 {
		t.Errorf("%d deliveries in the log, want 2", n)
	}

	// After a reload the log loads when opened.
	tb.navigate("/webhooks")
	tb.do(chromedp.Click(chromedp.CSS(card + ` .hook-log summary`)))
	tb.until("the lazily loaded log", `document.querySelectorAll('`+card+` tr.delivery').length === 2`)

	// Pause it, edit it, then delete it after confirming.
	tb.do(chromedp.Click(chromedp.CSS(card + ` .hook-switch input`)))
	tb.until("the paused card", `document.querySelector('`+card+`.paused') !== null`)
	if got, _ := b.webhooks().FindWebhook(context.Background(), ann.ID, w.ID); got.Enabled {
		t.Error("still enabled")
	}
	tb.do(chromedp.Click(chromedp.CSS(card + ` .hook-actions [data-edit-toggle]`)))
	tb.until("the edit form", visible(card+` .hook-edit input[name=name]`)+` && document.activeElement.name === 'name'`)
	tb.do(chromedp.ScrollIntoView(chromedp.CSS(card + ` .hook-edit`)))
	tb.shot("webhook-edit-desktop")
	// Cancel hides it again; Edit brings it back.
	tb.do(chromedp.Click(chromedp.CSS(card + ` .hook-edit [data-edit-toggle]`)))
	tb.until("the edit form to hide", `!`+visible(card+` .hook-edit input[name=name]`)+` && document.querySelector('`+card+` .hook-actions [data-edit-toggle]').getAttribute('aria-expanded') === 'false'`)
	tb.do(chromedp.Click(chromedp.CSS(card + ` .hook-actions [data-edit-toggle]`)))
	tb.until("the edit form", visible(card+` .hook-edit input[name=name]`))
	eval[chromedp.Void](tb, `document.querySelector('`+card+` .hook-edit input[name=name]').value = ''; 0`)
	tb.do(chromedp.SendKeys(chromedp.CSS(card+` .hook-edit input[name=name]`), "Build bot"),
		chromedp.Click(chromedp.CSS(card+` .hook-edit button[type=submit]`)))
	tb.until("the renamed card", `document.querySelector('`+card+` h2').textContent === 'Build bot'`)
	if got, _ := b.webhooks().FindWebhook(context.Background(), ann.ID, w.ID); got.URL != w.URL || got.Secret != w.Secret {
		t.Error("editing the name changed the URL or the secret")
	}
	tb.clickUntil("the confirmation", card+` button.danger-outline`, `document.getElementById('confirm').open && document.getElementById('confirm-ok').textContent === 'Delete'`)
	tb.do(chromedp.Click(chromedp.CSS(`#confirm-ok`)))
	tb.until("the empty list", `document.querySelector('#webhook-list .empty') !== null`)
}

func TestBrowserWebhookScreens(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	recv := newReceiver(t)
	ctx := context.Background()
	hooks := []*app.Webhook{
		{UserID: ann.ID, Name: "Family chat", Kind: app.WebhookDiscord, URL: "https://discord.com/api/webhooks/1234/abcdefghijkl", Events: []string{"job.failed", "integrity.failed"}, Enabled: true},
		{UserID: ann.ID, Name: "Phone", Kind: app.WebhookNtfy, URL: "https://ntfy.sh/belfry-ann-7f3k", Events: []string{"job.failed", "quota.warning"}, Enabled: true, AuthToken: "tk_x"},
		{UserID: ann.ID, Name: "CI", Kind: app.WebhookGeneric, URL: recv.URL + "/hooks/belfry", Events: []string{"job.completed", "job.failed"}, Enabled: true, Secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0"},
		{UserID: ann.ID, Name: "Old Slack", Kind: app.WebhookSlack, URL: "https://hooks.slack.com/services/T0/B0/xyz123", Events: []string{"rule.executed"}, Enabled: false, DisabledReason: "the receiver answered 410 Gone"},
	}
	for _, h := range hooks {
		if err := b.webhooks().CreateWebhook(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	for _, status := range []int{http.StatusOK, http.StatusBadGateway} {
		recv.answer(status)
		if _, _, err := b.Webhooks.Service.Test(ctx, ann, hooks[2].ID); err != nil {
			t.Fatal(err)
		}
	}
	tb := b.signedInTab(t, "ann")
	tb.navigate("/webhooks")
	tb.do(chromedp.Click(chromedp.CSS(`#hook-` + hooks[2].ID + ` .hook-log summary`)))
	tb.until("the log", `document.querySelectorAll('#hook-`+hooks[2].ID+` tr.delivery').length === 2`)
	tb.do(chromedp.ScrollIntoView(chromedp.CSS(`#hook-` + hooks[2].ID)))
	tb.shot("webhooks-log-desktop")
	tb.viewport(1280, 800, true)
	tb.navigate("/webhooks")
	tb.shot("webhooks-dark-desktop")
	tb.viewport(390, 844, false)
	tb.navigate("/webhooks")
	tb.shot("webhooks-phone")
	tb.do(chromedp.Click(chromedp.CSS(`#hook-` + hooks[2].ID + ` .hook-log summary`)))
	tb.until("the log", `document.querySelectorAll('#hook-`+hooks[2].ID+` tr.delivery').length === 2`)
	tb.do(chromedp.ScrollIntoView(chromedp.CSS(`#hook-` + hooks[2].ID)))
	tb.shot("webhooks-log-phone")
}
