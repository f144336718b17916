package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// consoleErrors returns the console's errors so far (failed loads among
// them), and forgets them.
func (tb *tab) consoleErrors() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var out []string
	for _, m := range tb.console {
		if m.Type == chromedp.ConsoleError || m.IsException() {
			out = append(out, m.Text+" "+m.URL)
		}
	}
	tb.console = nil
	return out
}

// await evaluates a JavaScript expression that gives a promise and
// decodes what it resolves to.
func await[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, browserTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("browser: evaluate %s: %v", expr, err)
	}
	return v
}

// No page logs an error to the console: no failed load, no exception.
func TestBrowserNoConsoleErrors(t *testing.T) {
	b := newBelfry(t)
	b.user("root", true)
	tb := b.openTab(t)
	tb.do(chromedp.Navigate(b.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)))
	tb.idle()
	tb.login("root")
	paths := eval[[]string](tb, `[...document.querySelectorAll('.sidenav a')].map(a => a.getAttribute('href'))`)
	for _, p := range paths {
		tb.navigate(p)
		await[chromedp.Void](tb, `new Promise(r => setTimeout(r, 300))`)
		if errs := tb.consoleErrors(); len(errs) > 0 {
			t.Errorf("%s logs: %s", p, strings.Join(errs, "; "))
		}
	}
}

// A browser gets an error page in the app's layout, with the navigation
// and a way back; an API client asking for JSON gets the JSON envelope.
func TestBrowserErrorPages(t *testing.T) {
	b := newBelfry(t)
	b.user("ann", false)
	tb := b.signedInTab(t, "ann")
	for path, heading := range map[string]string{"/no/such/page": "Not found", "/admin/users": "Not allowed"} {
		tb.do(chromedp.Navigate(b.URL + path))
		tb.until("the error page of "+path, `document.querySelector('.error-page h1') !== null`)
		if got := eval[string](tb, `document.querySelector('.error-page h1').textContent`); got != heading {
			t.Errorf("%s: heading %q, want %q", path, got, heading)
		}
		if !eval[bool](tb, `document.querySelectorAll('.sidenav a').length > 0 && document.querySelector('.error-page a[href="/notifications"]') !== null && document.getElementById('bell-button') !== null`) {
			t.Errorf("%s: the error page has no navigation or way back", path)
		}
		got := await[string](tb, `fetch(`+jsString(path)+`, { headers: { Accept: 'application/json' } }).then(r => r.status + ' ' + r.headers.get('Content-Type'))`)
		if !strings.Contains(got, "application/json") || strings.HasPrefix(got, "2") {
			t.Errorf("%s for JSON: %s, want an error in JSON", path, got)
		}
	}
	if got := await[string](tb, `fetch('/favicon.ico').then(r => r.status + ' ' + r.headers.get('Content-Type'))`); !strings.HasPrefix(got, "200 image/svg+xml") {
		t.Errorf("/favicon.ico: %s", got)
	}
	tb.consoleErrors() // the pages above answered 404 and 403 on purpose
}
