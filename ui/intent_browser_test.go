package ui_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// Reset to defaults must leave a working table: every row back, the
// confirmation shown, and a later switch click saved on the server.
func TestBrowserResetPreferencesKeepsTable(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tb := b.signedInTab(t, "ann")
	tb.navigate("/preferences")
	toast := `input[data-pref="job_failed_toast"]`
	rows := eval[int](tb, `document.querySelectorAll('#pref-rows tr').length`)
	if rows == 0 {
		t.Fatal("no preference rows")
	}
	tb.do(chromedp.Click(chromedp.CSS(toast)))
	tb.until("the switch off", `!document.querySelector('`+toast+`').checked && document.querySelector('#pref-job_failed .saved') !== null`)
	tb.idle()

	tb.do(chromedp.Click(chromedp.CSS(`button[hx-delete="/ui/preferences"]`)))
	tb.until("the confirmation dialog", `document.getElementById('confirm').open`)
	tb.do(chromedp.Click(chromedp.CSS(`#confirm-ok`)))
	tb.until("the reset message", `document.querySelector('#flash .alert-success') !== null`)
	tb.idle()
	if got := eval[int](tb, `document.querySelectorAll('#pref-rows tr input[role=switch]').length`); got != 2*rows {
		t.Fatalf("after reset the table has %d switches in rows, want %d", got, 2*rows)
	}
	tb.until("the switch back on", `document.querySelector('`+toast+`').checked`)

	// A click after the reset is saved.
	tb.do(chromedp.Click(chromedp.CSS(toast)))
	waitFor(t, "the click after the reset to be stored", func() bool {
		p, err := b.Preferences.Preferences(context.Background(), ann.ID)
		v, set := p["job_failed_toast"]
		return err == nil && set && !v
	})
	tb.until("the row to show it", `!document.querySelector('`+toast+`').checked`)
}
