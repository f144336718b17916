package ui_test

import (
	"context"
	"database/sql"
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

// A wrong password keeps the username typed and puts the cursor in the
// password field.
func TestBrowserWrongPasswordKeepsUsername(t *testing.T) {
	b := newBelfry(t)
	b.user("ann", false)
	tb := b.openTab(t)
	tb.do(
		chromedp.Navigate(tb.b.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "ann"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "not the password"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.login .alert-error`)),
	)
	if got := eval[string](tb, `document.querySelector('input[name=username]').value`); got != "ann" {
		t.Errorf("username after a wrong password = %q, want ann", got)
	}
	if got := eval[string](tb, `document.activeElement.name`); got != "password" {
		t.Errorf("focus after a wrong password is on %q, want the password field", got)
	}
}

// A session that ended sends the next page load to the login page, which
// says why.
func TestBrowserExpiredSessionSaysWhy(t *testing.T) {
	b := newBelfry(t)
	b.user("ann", false)
	tb := b.signedInTab(t, "ann")
	if err := b.DB.Write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(`DELETE FROM sessions`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	tb.do(chromedp.Navigate(tb.b.URL+"/preferences"), chromedp.WaitVisible(chromedp.CSS(`.login`)))
	tb.until("the login page saying the session ended", `location.pathname === '/login' && document.querySelector('.login .alert-info') !== null && /session has ended/.test(document.querySelector('.login .alert-info').textContent)`)
	if got := eval[string](tb, `new URLSearchParams(location.search).get('next')`); got != "/preferences" {
		t.Errorf("next = %q, want /preferences", got)
	}
}
