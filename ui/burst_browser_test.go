package ui_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// summarySel is the burst summary toast.
const summarySel = `#toasts .toast-summary`

// Twenty events in a second: the toasts that were held back (the storm) or
// pushed out of the stack of four are counted in one summary toast, whose
// count and the toasts on screen add up to twenty; its button opens the dropdown with
// them, from the keyboard, and it reads well in both themes.
func TestBrowserBurstSummary(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	tb := b.signedInTab(t, "ann")
	tb.recordToasts()
	// Toasts pushed out of the stack (removed at once, not leaving) are
	// counted in the summary too.
	eval[chromedp.Void](tb, `window.__trimmed = 0;
		new MutationObserver(function (ms) { ms.forEach(function (m) { m.removedNodes.forEach(function (n) {
			if (n.classList && !n.classList.contains('leaving') && !n.classList.contains('toast-summary')) window.__trimmed++;
		}); }); }).observe(document.getElementById('toasts'), { childList: true }); 0`)

	for i := 1; i <= 20; i++ {
		b.publish(tok, map[string]any{"type": "job_completed", "title": fmt.Sprintf("burst %d", i)})
	}
	tb.until("the badge to show 20", `document.getElementById('badge').textContent === '20'`)
	tb.until("the summary", `document.querySelector('`+summarySel+`') !== null`)
	// The count settles once the last frame is in: every notification had
	// its own toast, unless it was held back or pushed out of the stack.
	onScreen := `document.querySelectorAll('#toasts .toast:not(.toast-summary)').length`
	tb.until("the summary to count every notification without a toast of its own",
		`document.querySelector('`+summarySel+` .toast-title').textContent === '+' + (20 - window.__toasts.length + window.__trimmed) + ' more notifications'`)
	shown := eval[int](tb, `window.__toasts.length`)
	if shown < 1 || shown > 6 {
		t.Errorf("%d toasts of their own, want 1 to 6 (the storm starts after 6)", shown)
	}
	if n := eval[int](tb, `document.querySelectorAll('`+summarySel+`').length`); n != 1 {
		t.Errorf("%d summaries, want one", n)
	}
	t.Logf("toasts shown: %d, pushed out: %d, summary: %s", shown, eval[int](tb, `window.__trimmed`), eval[string](tb, `document.querySelector('`+summarySel+` .toast-title').textContent`))
	if n := eval[int](tb, onScreen); n > 4 {
		t.Errorf("%d toasts stacked, want at most 4", n)
	}
	for _, dark := range []bool{false, true} {
		tb.viewport(1280, 800, dark)
		for _, sel := range []string{summarySel + ` .toast-title`, summarySel + ` .toast-body`, summarySel + ` .toast-link`} {
			if r := eval[float64](tb, contrastJS(sel)); r < 4.5 {
				t.Errorf("dark=%v: %s contrast %.2f:1", dark, sel, r)
			}
		}
	}
	tb.viewport(1280, 800, false)
	tb.shot("burst-summary")

	// Keyboard: focus its button and press Enter: the dropdown opens with
	// the newest, the summary goes.
	tb.do(chromedp.Focus(chromedp.CSS(summarySel+` .toast-link`)), chromedp.KeyEvent("\r"))
	tb.until("the dropdown open with the burst", `!document.getElementById('bell-panel').hidden && document.querySelectorAll('#panel-items .nitem').length === 8`)
	tb.until("the summary gone", `document.querySelector('`+summarySel+`') === null`)
	if got := eval[string](tb, `document.activeElement.id`); got != "bell-panel-title" {
		t.Errorf("focus after Show them is on %q, want the dropdown's title", got)
	}
	if got := eval[string](tb, `document.querySelector('#panel-items .nitem .ntitle').firstChild.textContent`); got != "burst 20" {
		t.Errorf("newest in the dropdown = %q", got)
	}

	// One more in the same burst gives a summary of one, not of twenty-one.
	b.publish(tok, map[string]any{"type": "job_completed", "title": "burst 21"})
	tb.until("the badge to show 21", `document.getElementById('badge').textContent === '21'`)
	tb.until("a summary of the one new", `document.querySelector('`+summarySel+`') !== null`)
	if got := eval[string](tb, `document.querySelector('`+summarySel+` .toast-title').textContent`); got != "+1 more notification" {
		t.Errorf("summary after Show them and one more = %q", got)
	}
}

// A single notification whose type's toasts are off makes no summary.
func TestBrowserNoSummaryForOneQuietNotification(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	tb := b.signedInTab(t, "ann")
	tb.navigate("/preferences")
	toast := `input[data-pref="job_failed_toast"]`
	tb.do(chromedp.Click(chromedp.CSS(toast)))
	tb.until("the toast switch off", `!document.querySelector('`+toast+`').checked && document.querySelector('#pref-job_failed .saved') !== null`)
	tb.recordToasts()
	b.publish(tok, map[string]any{"type": "job_failed", "title": "Quiet"})
	tb.until("the badge to show 1", `document.getElementById('badge').textContent === '1'`)
	eval[chromedp.Void](tb, `new Promise(function (r) { setTimeout(r, 600); })`)
	if eval[bool](tb, `document.querySelector('#toasts .toast') !== null`) {
		t.Error("a toast or a summary for a type whose toasts are off")
	}
}
