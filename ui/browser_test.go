package ui_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/belfry/belfry/ui"
	"github.com/chromedp/chromedp"
)

// itemSel selects the list item of the notification with the given id on
// the full page.
func itemSel(id string) string { return `#page-items .nitem[data-nid="` + id + `"]` }

func TestBrowserLiveBadgeToastAndMarkRead(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	tb := b.signedInTab(t, "ann")
	tb.recordToasts()
	tb.until("the badge to be hidden", `document.getElementById('badge').hidden`)

	id := b.publish(tok, map[string]any{"type": "job_failed", "level": "error", "title": "Backup of nas failed",
		"body": "rsync exited with **code 23**", "target_url": "https://nas.example/jobs/7"})

	tb.until("the badge to show 1", `!document.getElementById('badge').hidden && document.getElementById('badge').textContent === '1'`)
	tb.until("the toast", `[...document.querySelectorAll('#toasts .toast.level-error .toast-title')].some(e => e.textContent === 'Backup of nas failed')`)
	tb.until("the item in the list", `document.querySelector('`+itemSel(id)+`.unread') !== null`)
	if got := eval[string](tb, `document.querySelector('#toasts .toast .toast-body').textContent`); got != "rsync exited with code 23" {
		t.Errorf("toast body = %q", got)
	}
	if got := eval[string](tb, `document.getElementById('bell-button').getAttribute('aria-label')`); got != "Notifications, 1 unread" {
		t.Errorf("bell label = %q", got)
	}

	// A second one raises the badge again, without a reload.
	b.publish(tok, map[string]any{"type": "job_completed", "title": "Nightly sync done"})
	tb.until("the badge to show 2", `document.getElementById('badge').textContent === '2'`)
	tb.until("both in the list", `document.querySelectorAll('#page-items .nitem').length === 2`)
	tb.idle()

	// Clicking the item marks it read over the socket; the badge falls.
	tb.do(chromedp.Click(chromedp.CSS(itemSel(id) + ` .ntitle`)))
	tb.until("the item to be read", `!document.querySelector('`+itemSel(id)+`').classList.contains('unread')`)
	tb.until("the badge to show 1", `document.getElementById('badge').textContent === '1'`)
	waitFor(t, "the server to store the read", func() bool {
		n, err := b.Notifications.FindNotification(context.Background(), id)
		return err == nil && n.IsRead()
	})

	// The dropdown lists both, newest first, and closes with Escape, giving
	// the focus back to the bell.
	tb.do(chromedp.Click(chromedp.CSS(`#bell-button`)))
	tb.until("the dropdown", `document.querySelectorAll('#panel-items .nitem').length === 2`)
	tb.idle()
	if got := eval[string](tb, `document.querySelector('#panel-items .nitem .ntitle').firstChild.textContent`); got != "Nightly sync done" {
		t.Errorf("first item of the dropdown = %q, want the newest", got)
	}
	tb.do(chromedp.KeyEvent("\x1b"))
	tb.until("the dropdown to close", `document.getElementById('bell-panel').hidden && document.activeElement.id === 'bell-button'`)

	// Mark all read empties the badge.
	tb.do(chromedp.Click(chromedp.CSS(`#mark-all-read`)))
	tb.until("the badge to hide", `document.getElementById('badge').hidden`)
	tb.until("no unread items", `document.querySelectorAll('#page-items .nitem.unread').length === 0`)
}

func TestBrowserDeleteOneAndDeleteRead(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	var ids []string
	for i := 1; i <= 4; i++ {
		ids = append(ids, b.publish(tok, map[string]any{"type": "job_completed", "title": fmt.Sprintf("Job %d done", i)}))
	}
	ctx := context.Background()
	for _, id := range ids[:2] { // 1 and 2 read, 3 and 4 unread
		if _, err := b.Notifications.MarkRead(ctx, ann.ID, id); err != nil {
			t.Fatal(err)
		}
	}
	tb := b.signedInTab(t, "ann")
	tb.until("four items", `document.querySelectorAll('#page-items .nitem').length === 4`)

	// The unread filter narrows the list in place and into the address.
	tb.do(chromedp.SetValue(chromedp.CSS(`#filters select[name=read]`), "unread"), chromedp.Evaluate[chromedp.Void](
		`document.querySelector('#filters select[name=read]').dispatchEvent(new Event('change', { bubbles: true }))`))
	tb.until("the unread ones", `document.querySelectorAll('#page-items .nitem').length === 2 && location.search.includes('read=unread')`)
	tb.do(chromedp.SetValue(chromedp.CSS(`#filters select[name=type]`), "job_failed"), chromedp.Evaluate[chromedp.Void](
		`document.querySelector('#filters select[name=type]').dispatchEvent(new Event('change', { bubbles: true }))`))
	tb.until("the filtered empty state", `document.querySelector('#page-items .empty') !== null`)
	tb.do(chromedp.Navigate(b.URL + "/notifications"))
	tb.waitLive(1)

	// The trash button deletes exactly that one.
	tb.do(chromedp.Click(chromedp.CSS(itemSel(ids[3]) + ` .ndelete`)))
	tb.until("the item to go", `document.querySelector('`+itemSel(ids[3])+`') === null`)
	waitFor(t, "the server to delete it", func() bool {
		_, err := b.Notifications.FindNotification(ctx, ids[3])
		return err != nil
	})
	tb.until("three items", `document.querySelectorAll('#page-items .nitem').length === 3`)
	tb.idle()

	// "Delete read" asks first; cancelling keeps everything.
	tb.do(chromedp.Click(chromedp.CSS(`#delete-read`)))
	tb.until("the confirmation", `document.getElementById('confirm').open`)
	if got := eval[string](tb, `document.getElementById('confirm-text').textContent`); got == "" {
		t.Error("the confirmation has no question")
	}
	tb.do(chromedp.Click(chromedp.CSS(`#confirm button[value=cancel]`)))
	tb.until("the dialog to close", `!document.getElementById('confirm').open`)
	if n, _ := b.Notifications.CountNotifications(ctx, appFilter(ann.ID)); n != 3 {
		t.Fatalf("after cancel %d notifications, want 3", n)
	}

	// Confirming deletes the read ones only.
	tb.do(chromedp.Click(chromedp.CSS(`#delete-read`)))
	tb.until("the confirmation", `document.getElementById('confirm').open`)
	tb.do(chromedp.Click(chromedp.CSS(`#confirm-ok`)))
	tb.until("only the unread item to remain", `document.querySelectorAll('#page-items .nitem').length === 1 && document.querySelector('`+itemSel(ids[2])+`.unread') !== null`)
	tb.until("the confirmation message", `document.querySelector('#flash .alert-success') !== null`)
	if n, _ := b.Notifications.CountNotifications(ctx, appFilter(ann.ID)); n != 1 {
		t.Errorf("after delete read %d notifications, want 1", n)
	}
}

func TestBrowserPreferenceDecidesToast(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	tb := b.signedInTab(t, "ann")
	tb.navigate("/preferences")
	toast := `input[data-pref="job_failed_toast"]`
	tb.until("the toast switch on", `document.querySelector('`+toast+`').checked`)

	tb.do(chromedp.Click(chromedp.CSS(toast)))
	waitFor(t, "the preference to be stored", func() bool {
		p, err := b.Preferences.Preferences(context.Background(), ann.ID)
		v, set := p["job_failed_toast"]
		return err == nil && set && !v
	})
	tb.until("the row to show it saved", `document.querySelector('#pref-job_failed .saved') !== null && !document.querySelector('`+toast+`').checked`)
	tb.recordToasts()

	b.publish(tok, map[string]any{"type": "job_failed", "title": "Quiet failure"})
	// The toast would be made by the same frame that raises the badge.
	tb.until("the badge to show 1", `document.getElementById('badge').textContent === '1' && !document.getElementById('badge').hidden`)
	if n := eval[int](tb, `window.__toasts.length`); n != 0 {
		t.Fatalf("%d toasts with the toast preference off", n)
	}

	// Switched back on, the next event toasts again.
	tb.do(chromedp.Click(chromedp.CSS(toast)))
	// The row's "saved" mark of the first click may still be there: wait
	// for the store, not for the mark.
	waitFor(t, "the preference to be stored again", func() bool {
		p, err := b.Preferences.Preferences(context.Background(), ann.ID)
		return err == nil && p["job_failed_toast"]
	})
	tb.until("the switch on", `document.querySelector('`+toast+`').checked && document.querySelector('#pref-job_failed .saved') !== null`)
	// The row is swapped when the answer comes; its new switches take
	// clicks once htmx has settled them.
	tb.idle()
	b.publish(tok, map[string]any{"type": "job_failed", "title": "Loud failure"})
	tb.until("the toast", `window.__toasts.includes('Loud failure')`)

	// The in-app switch off disables the toast switch beside it.
	tb.do(chromedp.Click(chromedp.CSS(`input[data-pref="job_failed"]`)))
	tb.until("the toast switch disabled", `!document.querySelector('input[data-pref="job_failed"]').checked && document.querySelector('`+toast+`').disabled`)
	tb.navigate("/preferences")
	if eval[bool](tb, `document.querySelector('input[data-pref="job_failed"]').checked`) {
		t.Error("the in-app switch is on again after a reload")
	}
}

func TestBrowserStormShowsNoToastsAndEndsComplete(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	tb := b.signedInTab(t, "ann")
	tb.recordToasts()

	for i := 1; i <= 20; i++ {
		b.publish(tok, map[string]any{"type": "job_completed", "title": fmt.Sprintf("storm %d", i)})
	}
	// The trailing refresh reloads the list once the backoff has passed.
	tb.until("all 20 in the list", `document.querySelectorAll('#page-items .nitem').length === 20`)
	tb.until("the badge to show 20", `document.getElementById('badge').textContent === '20'`)
	if got := eval[string](tb, `document.querySelector('#page-items .nitem .ntitle').firstChild.textContent`); got != "storm 20" {
		t.Errorf("newest item = %q, want storm 20", got)
	}
	toasts := eval[[]string](tb, `window.__toasts`)
	if len(toasts) > 6 {
		t.Errorf("%d toasts during the storm, want at most the 6 before it: %q", len(toasts), toasts)
	}
	for _, title := range toasts {
		var n int
		if _, err := fmt.Sscanf(title, "storm %d", &n); err != nil || n > 6 {
			t.Errorf("toast %q during the storm", title)
		}
	}
}

func TestBrowserHostileTitleIsText(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	tb := b.signedInTab(t, "ann")
	tb.recordToasts()
	id := b.publish(tok, map[string]any{"type": "job_failed", "title": ui.Hostile,
		"body": `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> [link](javascript:alert(1))`})

	tb.until("the item", `document.querySelector('`+itemSel(id)+`') !== null`)
	tb.until("the toast", `window.__toasts.length === 1`)
	if got := eval[string](tb, `document.querySelector('`+itemSel(id)+` .ntitle').firstChild.textContent`); got != ui.Hostile {
		t.Errorf("title shown as %q, want the text %q", got, ui.Hostile)
	}
	if got := eval[string](tb, `document.querySelector('#toasts .toast-title').textContent`); got != ui.Hostile {
		t.Errorf("toast title shown as %q, want the text %q", got, ui.Hostile)
	}
	tb.do(chromedp.Click(chromedp.CSS(`#bell-button`)))
	tb.until("the dropdown", `document.querySelector('#panel-items .nitem') !== null`)
	if n := eval[int](tb, `document.querySelectorAll('img').length`); n != 0 {
		t.Errorf("%d img elements on the page", n)
	}
	if n := eval[int](tb, `document.querySelectorAll('a[href^="javascript:"]').length`); n != 0 {
		t.Errorf("%d javascript: links on the page", n)
	}
	if eval[bool](tb, `window.__pwned !== undefined`) {
		t.Error("injected script ran")
	}
}

func TestBrowserReconnectsAndCatchesUp(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	tb := b.signedInTab(t, "ann")

	b.BlockSockets.Store(true)
	b.Hub.Revoke(ann.ID, "")
	tb.until("the offline indicator", `!document.getElementById('conn').hidden`)
	tb.shot("offline-desktop")
	id := b.publish(tok, map[string]any{"type": "job_failed", "title": "Happened while offline"})

	b.BlockSockets.Store(false)
	tb.until("the socket to reopen", `document.body.dataset.live === 'open' && document.getElementById('conn').hidden`)
	tb.until("the missed notification", `document.querySelector('`+itemSel(id)+`') !== null`)
	tb.until("the badge to catch up", `document.getElementById('badge').textContent === '1'`)
}

func TestBrowserTokenShownOnceAndRevoked(t *testing.T) {
	b := newBelfry(t)
	b.user("ann", false)
	tb := b.signedInTab(t, "ann")
	tb.navigate("/tokens")
	tb.do(
		chromedp.SendKeys(chromedp.CSS(`#token-form input[name=name]`), "laptop"),
		chromedp.Click(chromedp.CSS(`#token-form button[type=submit]`)),
	)
	tb.until("the secret", `document.getElementById('new-token') !== null && document.getElementById('new-token').value.startsWith('blf_')`)
	tb.until("the list", `document.querySelectorAll('#token-list tbody tr').length === 1`)
	if got := eval[string](tb, `document.querySelector('#token-form input[name=name]').value`); got != "" {
		t.Errorf("the form kept %q after success", got)
	}
	tb.do(chromedp.Click(chromedp.CSS(`[data-copy="#new-token"]`)))
	tb.until("the copy confirmation", `document.querySelector('[data-copy="#new-token"]').textContent.includes('Copied')`)

	tb.do(chromedp.Click(chromedp.CSS(`#token-list tbody button.danger-outline`)))
	tb.until("the confirmation", `document.getElementById('confirm').open && document.getElementById('confirm-ok').textContent === 'Revoke'`)
	tb.do(chromedp.Click(chromedp.CSS(`#confirm-ok`)))
	tb.until("the empty list", `document.querySelector('#token-list .empty') !== null`)
}

// TestBrowserPreferenceClickAfterSwap checks that a switch clicked right
// after its row was swapped in saves: htmx wires new content as it swaps
// it (no settle delay), so no click falls between the two and flips a
// switch on screen that was never saved.
func TestBrowserPreferenceClickAfterSwap(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tb := b.signedInTab(t, "ann")
	tb.navigate("/preferences")
	toast := `input[data-pref="job_failed_toast"]`
	tb.until("the toast switch on", `document.querySelector('`+toast+`').checked`)
	// The first task after the toast switch's row is swapped clicks the
	// new row's in-app switch.
	eval[chromedp.Void](tb, `document.addEventListener('htmx:afterSwap', function (e) {
		if (e.target.id !== 'pref-job_failed') return;
		setTimeout(function () { document.querySelector('input[data-pref="job_failed"]').click(); }, 0);
	}, {once: true}); 0`)
	tb.do(chromedp.Click(chromedp.CSS(toast)))
	waitFor(t, "both switches of the row to be stored", func() bool {
		p, err := b.Preferences.Preferences(context.Background(), ann.ID)
		inApp, set := p["job_failed"]
		return err == nil && set && !inApp && !p["job_failed_toast"]
	})
	tb.until("the row to show the in-app switch off", `!document.querySelector('input[data-pref="job_failed"]').checked && document.querySelector('`+toast+`').disabled`)
}
