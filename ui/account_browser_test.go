package ui_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// loginAs signs in through the login form with password and waits for the
// live inbox.
func (tb *tab) loginAs(name, password string) {
	tb.t.Helper()
	before := tb.b.Hub.Stats().Sockets
	tb.do(
		chromedp.Navigate(tb.b.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), name),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), password),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#page-items`)),
	)
	tb.waitLive(before + 1)
}

// The first admin is asked to replace the printed password; with the
// keyboard alone they reach the account page from the banner and change
// it; the banner goes, this tab stays signed in, the other tab is signed
// out.
func TestBrowserAccountReplacesPrintedPassword(t *testing.T) {
	b := newBelfry(t)
	tb := b.openTab(t)
	tb.loginAs("admin", b.AdminPassword)
	other := b.openTab(t)
	other.loginAs("admin", b.AdminPassword)

	banner := `#password-banner .banner`
	tb.until("the banner", `document.querySelector('`+banner+`') !== null`)
	for _, dark := range []bool{false, true} {
		tb.viewport(1280, 800, dark)
		if r := eval[float64](tb, contrastJS(banner+` p`)); r < 4.5 {
			t.Errorf("dark=%v: banner contrast %.2f:1", dark, r)
		}
	}
	tb.viewport(1280, 800, false)

	tb.do(chromedp.Focus(chromedp.CSS(banner+` a`)), chromedp.KeyEvent("\r"))
	tb.until("the account page", `location.pathname === '/account' && document.querySelector('#password-form') !== null`)
	tb.until("the socket to open", `document.body.dataset.live === 'open'`)
	if eval[bool](tb, `document.querySelector('#password-banner .banner') === null`) {
		t.Error("the account page does not ask either")
	}
	tb.do(
		chromedp.Focus(chromedp.CSS(`input[name=current]`)),
		chromedp.KeyEvent(b.AdminPassword), chromedp.KeyEvent("\t"),
		chromedp.KeyEvent("the admin's own"), chromedp.KeyEvent("\t"),
		chromedp.KeyEvent("the admin's own"), chromedp.KeyEvent("\r"),
	)
	tb.until("the confirmation", `document.querySelector('#password-result .alert-success') !== null`)
	tb.until("the banner to go", `document.querySelector('#password-banner .banner') === null`)
	if got := eval[string](tb, `document.querySelector('input[name=current]').value`); got != "" {
		t.Error("the form kept the passwords typed")
	}
	tb.shot("account-changed")

	// This tab stays signed in; the other one is sent to the login page.
	tb.navigate("/notifications")
	if eval[bool](tb, `document.querySelector('#password-banner .banner') !== null`) {
		t.Error("the banner is back after the change")
	}
	other.do(chromedp.Navigate(b.URL + "/preferences"))
	other.until("the other tab at the login page", `location.pathname === '/login'`)

	// A wrong current password says so, in the form.
	tb.navigate("/account")
	tb.do(
		chromedp.SendKeys(chromedp.CSS(`input[name=current]`), "not it"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "another new one"),
		chromedp.SendKeys(chromedp.CSS(`input[name=confirm]`), "another new one"),
		chromedp.Click(chromedp.CSS(`#password-form button[type=submit]`)),
	)
	tb.until("the error in the form", `document.querySelector('#password-result .alert-error') !== null && /current password is not right/.test(document.getElementById('password-result').textContent)`)
	tb.viewport(1280, 800, true)
	if r := eval[float64](tb, contrastJS(`#password-result .alert-error p`)); r < 4.5 {
		t.Errorf("dark: error contrast %.2f:1", r)
	}
}
