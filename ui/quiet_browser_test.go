package ui_test

import (
	"context"
	"slices"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/chromedp/chromedp"
)

// TestBrowserQuietHours: the preferences page sets the zone, a window
// across midnight and the breakthrough level; the saved setting is the
// one the dispatcher reads. A bad zone shows the refusal and keeps what
// was saved; clearing the window removes it.
func TestBrowserQuietHours(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tb := b.signedInTab(t, "ann")
	tb.navigate("/preferences")
	tb.until("the section with one empty window", `document.querySelectorAll('#quiet-card fieldset.quiet-window').length === 1`)

	tb.do(chromedp.SetValue(chromedp.CSS(`#quiet-card input[name=timezone]`), "Europe/Paris"),
		chromedp.Click(chromedp.CSS(`#quiet-card input[name=day-0][value=fri]`)),
		chromedp.Click(chromedp.CSS(`#quiet-card input[name=day-0][value=sat]`)),
		chromedp.SetValue(chromedp.CSS(`#quiet-card input[name=start-0]`), "22:00"),
		chromedp.SetValue(chromedp.CSS(`#quiet-card input[name=end-0]`), "07:00"),
		chromedp.SetValue(chromedp.CSS(`#quiet-card select[name=breakthrough]`), "warning"),
		chromedp.Click(chromedp.CSS(`#quiet-card button[type=submit]`)))
	tb.until("saved, with a new empty row", `document.querySelector('#quiet-card .alert-success') !== null &&
		document.querySelectorAll('#quiet-card fieldset.quiet-window').length === 2`)
	q, err := b.Quiet.Get(context.Background(), ann.ID)
	if err != nil || q.Timezone != "Europe/Paris" || q.Breakthrough != "warning" || len(q.Windows) != 1 ||
		!slices.Equal(q.Windows[0].Days, []string{"fri", "sat"}) || q.Windows[0].Start != "22:00" || q.Windows[0].End != "07:00" {
		t.Fatalf("saved %+v, %v", q, err)
	}

	tb.do(chromedp.SetValue(chromedp.CSS(`#quiet-card input[name=timezone]`), "Mars/Olympus"),
		chromedp.Click(chromedp.CSS(`#quiet-card button[type=submit]`)))
	tb.until("the refusal", `(document.querySelector('#quiet-card .alert-error')||{textContent:''}).textContent.includes('Mars/Olympus') &&
		document.querySelector('#quiet-card input[name=timezone]').value === 'Mars/Olympus'`)
	if q, _ := b.Quiet.Get(context.Background(), ann.ID); q.Timezone != "Europe/Paris" {
		t.Fatalf("a refused form changed the zone to %q", q.Timezone)
	}

	tb.navigate("/preferences")
	tb.until("the saved window shown", `document.querySelector('#quiet-card input[name=start-0]').value === '22:00' &&
		document.querySelector('#quiet-card input[name=day-0][value=sat]').checked`)
	tb.do(chromedp.Click(chromedp.CSS(`#quiet-card input[name=day-0][value=fri]`)),
		chromedp.Click(chromedp.CSS(`#quiet-card input[name=day-0][value=sat]`)),
		chromedp.SetValue(chromedp.CSS(`#quiet-card input[name=start-0]`), ""),
		chromedp.SetValue(chromedp.CSS(`#quiet-card input[name=end-0]`), ""),
		chromedp.Click(chromedp.CSS(`#quiet-card button[type=submit]`)))
	tb.until("saved without windows", `document.querySelector('#quiet-card .alert-success') !== null &&
		document.querySelectorAll('#quiet-card fieldset.quiet-window').length === 1`)
	if q, _ := b.Quiet.Get(context.Background(), ann.ID); len(q.Windows) != 0 {
		t.Fatalf("the cleared window is still there: %+v", q.Windows)
	}
}

// TestBrowserWebhookQuietHours: a webhook added with "Follow my quiet
// hours" cleared is exempt and says so on its card; the edit form sets it
// back.
func TestBrowserWebhookQuietHours(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	recv := newReceiver(t)
	tb := b.signedInTab(t, "ann")
	tb.navigate("/webhooks")
	tb.until("the box checked by default", `document.querySelector('#webhook-form input[name=follows_quiet]').checked`)
	tb.do(chromedp.SetValue(chromedp.CSS(`#webhook-form select[name=kind]`), "generic"),
		chromedp.SendKeys(chromedp.CSS(`#webhook-form input[name=url]`), recv.URL+"/pager"),
		chromedp.Click(chromedp.CSS(`#webhook-form input[name=follows_quiet]`)),
		chromedp.Click(chromedp.CSS(`#webhook-form button[type=submit]`)))
	tb.until("the card says it ignores quiet hours", `(document.querySelector('#webhook-list .hook-loud')||{}).textContent === 'ignores quiet hours'`)
	w := b.onlyWebhook(ann)
	if !w.QuietExempt {
		t.Fatal("the webhook follows quiet hours although the box was cleared")
	}
	card := `#hook-` + w.ID
	tb.do(chromedp.Click(chromedp.CSS(card+` button[data-edit-toggle]`)),
		chromedp.Click(chromedp.CSS(card+` .hook-edit input[name=follows_quiet]`)),
		chromedp.Click(chromedp.CSS(card+` .hook-edit button[type=submit]`)))
	tb.until("the tag gone", `document.querySelector('#webhook-list .hook-loud') === null`)
	if w := b.onlyWebhook(ann); w.QuietExempt {
		t.Fatal("the edit form did not set it back")
	}
}

// TestBrowserDigests: the digests section collects a type hourly and
// another daily at a time; a daily choice without a time shows the
// refusal; one by one removes a digest.
func TestBrowserDigests(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tb := b.signedInTab(t, "ann")
	tb.navigate("/preferences")
	tb.until("a row per type but the digest's", `document.querySelector('#digests-card select[name="mode-job_completed"]') !== null &&
		document.querySelector('#digests-card select[name="mode-quiet_digest"]') === null`)
	tb.do(chromedp.SetValue(chromedp.CSS(`#digests-card select[name="mode-job_completed"]`), "60"),
		chromedp.SetValue(chromedp.CSS(`#digests-card select[name="mode-quota_warning"]`), "daily"),
		chromedp.SetValue(chromedp.CSS(`#digests-card input[name="at-quota_warning"]`), "08:30"),
		chromedp.Click(chromedp.CSS(`#digests-card button[type=submit]`)))
	tb.until("saved", `document.querySelector('#digests-card .alert-success') !== null`)
	ds, err := b.Quiet.TypeDigests(context.Background(), ann.ID)
	if err != nil || len(ds) != 2 || ds[0] != (app.TypeDigest{Type: "job_completed", EveryMinutes: 60}) ||
		ds[1] != (app.TypeDigest{Type: "quota_warning", DailyAt: "08:30"}) {
		t.Fatalf("saved %+v, %v", ds, err)
	}

	tb.do(chromedp.SetValue(chromedp.CSS(`#digests-card select[name="mode-message"]`), "daily"),
		chromedp.Click(chromedp.CSS(`#digests-card button[type=submit]`)))
	tb.until("the refusal", `(document.querySelector('#digests-card .alert-error')||{textContent:''}).textContent.includes('message') &&
		document.querySelector('#digests-card select[name="mode-message"]').value === 'daily'`)
	if ds, _ := b.Quiet.TypeDigests(context.Background(), ann.ID); len(ds) != 2 {
		t.Fatalf("a refused form changed the digests: %+v", ds)
	}

	tb.navigate("/preferences")
	tb.until("the saved choices shown", `document.querySelector('#digests-card select[name="mode-job_completed"]').value === '60' &&
		document.querySelector('#digests-card input[name="at-quota_warning"]').value === '08:30'`)
	tb.do(chromedp.SetValue(chromedp.CSS(`#digests-card select[name="mode-job_completed"]`), ""),
		chromedp.Click(chromedp.CSS(`#digests-card button[type=submit]`)))
	tb.until("saved again", `document.querySelector('#digests-card .alert-success') !== null`)
	if ds, _ := b.Quiet.TypeDigests(context.Background(), ann.ID); len(ds) != 1 || ds[0].Type != "quota_warning" {
		t.Fatalf("after one by one: %+v", ds)
	}
}
