package ui_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestBrowserInboxFigures measures, in Chromium, an inbox of 10,000
// notifications: the page's load (navigation timing and the main thread's
// long tasks), the bell panel from click to loaded list (the page's
// bell-panel-ready measure), a "Load more" page and a search, ten times
// each. It reports figures and asserts none (docs/benchmarks.md has them);
// it runs only with BELFRY_FIGURES=1, without -race, on a quiet machine:
//
//	BELFRY_FIGURES=1 go test ./ui -run TestBrowserInboxFigures -count=1 -v
func TestBrowserInboxFigures(t *testing.T) {
	if os.Getenv("BELFRY_FIGURES") != "1" {
		t.Skip("set BELFRY_FIGURES=1 to measure")
	}
	b, _, _ := newInbox(t, 10_000)
	tb := b.signedInTab(t, "ann")
	// Long tasks are not buffered: observe them from each document's start.
	tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.__long = 0; new PerformanceObserver(function (l) {
				l.getEntries().forEach(function (e) { window.__long += e.duration; }); }).observe({ type: 'longtask' });`})
		return err
	}))
	// swapped notes when the next swap into the page's list is done.
	const swapped = `window.__t1 = 0; document.addEventListener('htmx:afterSwap', function (e) { window.__t1 = performance.now(); }, { once: true })`
	t.Logf("long tasks observable: %v", eval[bool](tb, `PerformanceObserver.supportedEntryTypes.includes('longtask')`))
	const runs = 10
	figures := map[string][]float64{}
	add := func(name string, ms float64) { figures[name] = append(figures[name], ms) }
	for range runs {
		tb.navigate("/notifications")
		nav := eval[map[string]float64](tb, `(function () { var n = performance.getEntriesByType('navigation')[0];
			return { html: n.responseEnd - n.requestStart, dcl: n.domContentLoadedEventEnd - n.startTime, load: n.loadEventEnd - n.startTime, bytes: n.transferSize }; })()`)
		add("page: HTML response (ms)", nav["html"])
		add("page: DOMContentLoaded (ms)", nav["dcl"])
		add("page: load event (ms)", nav["load"])
		add("page: HTML transferred (KB)", nav["bytes"]/1024)
		add("page: long tasks at load (ms)", eval[float64](tb, `window.__long`))

		tb.do(chromedp.Click(chromedp.CSS(`#bell-button`)))
		tb.until("the panel's measure", `performance.getEntriesByName('bell-panel-ready').length === 1`)
		add("bell panel: click to loaded list (ms)", eval[float64](tb, `performance.getEntriesByName('bell-panel-ready')[0].duration`))
		tb.do(chromedp.KeyEvent("\x1b"))
		tb.idle()

		tb.do(chromedp.Evaluate[chromedp.Void](swapped + `; window.__t0 = performance.now(); document.querySelector('#page-items li.more button').click()`))
		tb.until("the second page", `document.querySelectorAll('#page-items .nitem').length === 100 && window.__t1`)
		add("load more: click to 50 more items shown (ms)", eval[float64](tb, `window.__t1 - window.__t0`))

		tb.idle()
		tb.do(chromedp.Evaluate[chromedp.Void](swapped + `; (function () { var q = document.getElementById('filter-q'); q.value = 'ticket-04321.';
			window.__t0 = performance.now(); document.getElementById('filters').dispatchEvent(new Event('change', { bubbles: true })); })()`))
		tb.until("the match", `document.querySelectorAll('#page-items .nitem').length === 1 && window.__t1`)
		add("search: change to the one match shown, worst case (ms)", eval[float64](tb, `window.__t1 - window.__t0`))
		add("search: its request, send to response end (ms)", eval[float64](tb, `(function () { var r = performance.getEntriesByType('resource').filter(function (e) { return e.name.indexOf('q=ticket') > 0; }).pop();
			return r.responseEnd - r.startTime; })()`))
	}
	names := make([]string, 0, len(figures))
	for name := range figures {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		v := slices.Sorted(slices.Values(figures[name]))
		t.Logf("%-48s median %7.1f  max %7.1f  (%d runs)", name, v[len(v)/2], v[len(v)-1], len(v))
	}
}
