package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/chromedp/chromedp"
)

// TestBrowserEmailPreferences: with e-mail configured the preferences page
// has an e-mail column with the documented defaults, saves the address,
// sends a test e-mail through the real SMTP server and shows its answer.
func TestBrowserEmailPreferences(t *testing.T) {
	smtpd := apptest.NewSMTP(t)
	b := newBelfryWith(t, func(c *app.Config) { smtpd.Configure(&c.Email) })
	ann := b.user("ann", false)
	tb := b.signedInTab(t, "ann")
	tb.navigate("/preferences")
	tb.until("the e-mail column with its defaults", `document.querySelector('input[data-pref="job_failed_email"]').checked &&
		document.querySelector('input[data-pref="integrity_alert_email"]').checked &&
		document.querySelector('input[data-pref="weekly_report_email"]').checked &&
		!document.querySelector('input[data-pref="job_completed_email"]').checked`)
	tb.until("the test button disabled without an address", `document.getElementById('email-test').disabled`)

	tb.do(chromedp.SetValue(chromedp.CSS(`#email-card input[name=email]`), "ann@example.org"),
		chromedp.Click(chromedp.CSS(`#email-card button[type=submit]`)))
	// The swapped-in card must have settled (htmx has bound the new test
	// button) before the button is clicked.
	tb.until("the address saved", `document.querySelector('#email-card .alert-success') !== null && !document.getElementById('email-test').disabled &&
		!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling') && document.getElementById('email-test')['htmx-internal-data'] !== undefined`)
	tb.do(chromedp.Click(chromedp.CSS(`#email-test`)))
	tb.until("the server's answer", `(document.querySelector('#email-card .alert-success')||{textContent:''}).textContent.includes('The server answered')`)
	if m := smtpd.WaitMessages(t, 1)[0]; len(m.To) != 1 || m.To[0] != "ann@example.org" {
		t.Fatalf("test e-mail went to %v", m.To)
	}

	// The e-mail switch saves the preference.
	tb.do(chromedp.Click(chromedp.CSS(`input[data-pref="job_completed_email"]`)))
	waitFor(t, "job_completed_email on", func() bool {
		p, err := b.Preferences.Preferences(context.Background(), ann.ID)
		return err == nil && p.Email("job_completed")
	})
}

// TestBrowserEmailOff: without an SMTP server the page says so and shows
// no e-mail switches.
func TestBrowserEmailOff(t *testing.T) {
	b := newBelfry(t)
	b.user("ann", false)
	tb := b.signedInTab(t, "ann")
	tb.navigate("/preferences")
	tb.until("the note", `document.getElementById('email-off') !== null`)
	if n := eval[int](tb, `document.querySelectorAll('input[data-pref$="_email"]').length`); n != 0 {
		t.Fatalf("%d e-mail switches while e-mail is off", n)
	}
	if !strings.Contains(eval[string](tb, `document.getElementById('email-off').textContent`), "email.host") {
		t.Fatal("the note does not say how to turn e-mail on")
	}
}
