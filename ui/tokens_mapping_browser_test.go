package ui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/chromedp/chromedp"
)

// TestBrowserTokenMapping: on the tokens page, a token's Hooks button
// opens its card; a template that fails on the sample is refused with the
// template named; the fixed mapping saves, shows what the sample gives,
// and the custom hook then publishes into the inbox, live.
func TestBrowserTokenMapping(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	secret := b.token(ann)
	_, tok, err := b.Auth.TokenUser(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	tb := b.signedInTab(t, "ann")
	tb.navigate("/tokens")
	tb.clickUntil("the hooks card", `button[hx-get="/ui/tokens/`+tok.ID+`/mapping"]`, `document.querySelector('#mapping-editor .mapping-form') !== null`)
	if got := eval[string](tb, `document.querySelector('#mapping-editor .hook-urls dd code').textContent`); got != b.URL+"/api/v1/hooks/alertmanager" {
		t.Errorf("Alertmanager address %q", got)
	}
	form := `#mapping-editor .mapping-form `
	tb.do(
		chromedp.SendKeys(chromedp.CSS(form+`input[name=title]`), "{{.monitor.name.first}} is down"),
		chromedp.SendKeys(chromedp.CSS(form+`textarea[name=body]`), "{{.heartbeat.msg}}"),
		chromedp.SendKeys(chromedp.CSS(form+`input[name=level]`), `{{if eq .heartbeat.status 0}}error{{end}}`),
		chromedp.SendKeys(chromedp.CSS(form+`input[name=url]`), "{{.monitor.url}}"),
		chromedp.SetValue(chromedp.CSS(form+`textarea[name=sample]`), kumaSample),
		chromedp.Click(chromedp.CSS(form+`button[type=submit]`)),
	)
	tb.until("the error", `(document.querySelector('#mapping-result .alert-error') || {}).textContent?.includes('The title template failed on this input')`)
	if got := eval[string](tb, `document.querySelector('#mapping-result .alert-error p').textContent`); !contains(got, "<.monitor.name.first>", `Input: {"heartbeat"`) {
		t.Errorf("error %q", got)
	}
	tb.shot("token-mapping-error-desktop")

	eval[chromedp.Void](tb, `document.querySelector('`+form+`input[name=title]').value = ''; 0`)
	tb.do(chromedp.SendKeys(chromedp.CSS(form+`input[name=title]`), "{{.monitor.name}} is down"),
		chromedp.Click(chromedp.CSS(form+`button[type=submit]`)))
	tb.until("the preview", `(document.querySelector('#mapping-result .mapping-preview strong') || {}).textContent === 'NAS is down'`)
	if got := eval[string](tb, `document.querySelector('#mapping-result .preview-body').textContent`); got != "timeout of 48000ms exceeded" {
		t.Errorf("preview body %q", got)
	}
	tb.shot("token-mapping-desktop")

	if st, body := b.hookPost("/api/v1/hooks/custom", secret, kumaSample); st != http.StatusAccepted {
		t.Fatalf("hook: %d %s", st, body)
	}
	ns, _ := b.Notifications.ListNotifications(context.Background(), appFilter(ann.ID))
	if len(ns) != 1 || ns[0].Title != "NAS is down" || ns[0].Level != app.LevelError {
		t.Fatalf("notifications %+v", ns)
	}
	tb.until("the badge", `!document.getElementById('badge').hidden && document.getElementById('badge').textContent === '1'`)

	// Reopened, the card shows what was saved; Remove empties it.
	tb.navigate("/tokens")
	tb.clickUntil("the hooks card", `button[hx-get="/ui/tokens/`+tok.ID+`/mapping"]`, `document.querySelector('#mapping-editor .mapping-form') !== null`)
	if got := eval[string](tb, `document.querySelector('`+form+`input[name=title]').value`); got != "{{.monitor.name}} is down" {
		t.Errorf("saved title shown as %q", got)
	}
	tb.clickUntil("the confirmation", form+`button.danger-outline`, `document.getElementById('confirm').open`)
	tb.do(chromedp.Click(chromedp.CSS(`#confirm-ok`)))
	tb.until("the empty card", `document.querySelector('`+form+`input[name=title]') !== null && document.querySelector('`+form+`input[name=title]').value === ''`)
	if _, err := b.Hooks.Mapping(context.Background(), ann.ID, tok.ID); app.ErrorKind(err) != app.ENOTFOUND {
		t.Errorf("mapping after Remove: %v", err)
	}
}

// contains reports whether s contains every one of parts.
func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
