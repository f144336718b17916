package ui_test

import (
	"context"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/chromedp/chromedp"
)

// TestBrowserEscalation: the preferences page adds a rule of two steps
// (a repeat after 30 min, an admin 60 min later); the saved rule is the
// one the dispatcher reads and the section lists it. A user step naming
// nobody shows the refusal and saves nothing; Delete removes the rule.
func TestBrowserEscalation(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	b.user("root", true)
	tb := b.signedInTab(t, "ann")
	tb.navigate("/preferences")
	tb.until("the section without rules", `document.querySelector('#escalation-card .escalation-none') !== null &&
		document.querySelectorAll('#escalation-card fieldset.escalation-step').length === 3`)

	tb.do(chromedp.SetValue(chromedp.CSS(`#escalation-card select[name=type]`), "job_failed"),
		chromedp.SetValue(chromedp.CSS(`#escalation-card select[name=min_level]`), "error"),
		chromedp.SetValue(chromedp.CSS(`#escalation-card input[name=delay-0]`), "30"),
		chromedp.SetValue(chromedp.CSS(`#escalation-card select[name=action-0]`), "repeat"),
		chromedp.SetValue(chromedp.CSS(`#escalation-card input[name=delay-1]`), "60"),
		chromedp.SetValue(chromedp.CSS(`#escalation-card select[name=action-1]`), "user"),
		chromedp.SetValue(chromedp.CSS(`#escalation-card input[name=user-1]`), "root"),
		chromedp.Click(chromedp.CSS(`#escalation-card button[type=submit]`)))
	tb.until("saved and listed", `document.querySelector('#escalation-card .alert-success') !== null &&
		document.querySelectorAll('#escalation-card li.escalation-rule').length === 1 &&
		document.querySelector('#escalation-card li.escalation-rule').textContent.includes('after 90 min: notify root')`)
	rules, err := b.Escalation.EscalationRulesFor(context.Background(), []string{ann.ID})
	if err != nil || len(rules[ann.ID]) != 1 {
		t.Fatalf("saved %+v, %v", rules, err)
	}
	r := rules[ann.ID][0]
	if r.Type != "job_failed" || r.MinLevel != app.LevelError || len(r.Steps) != 2 || r.Steps[0].DelayMinutes != 30 ||
		r.Steps[0].Action != app.EscalateRepeat || r.Steps[1].User != "root" || r.Steps[1].DelayMinutes != 60 {
		t.Fatalf("saved %+v", r)
	}

	tb.do(chromedp.SetValue(chromedp.CSS(`#escalation-card input[name=delay-0]`), "10"),
		chromedp.SetValue(chromedp.CSS(`#escalation-card select[name=action-0]`), "user"),
		chromedp.SetValue(chromedp.CSS(`#escalation-card input[name=user-0]`), "nobody"),
		chromedp.Click(chromedp.CSS(`#escalation-card button[type=submit]`)))
	tb.until("the refusal", `(document.querySelector('#escalation-card .alert-error')||{textContent:''}).textContent.includes('nobody')`)
	if rs, _ := b.Escalation.List(context.Background(), ann); len(rs) != 1 {
		t.Fatalf("a refused form saved a rule: %d rules", len(rs))
	}

	// An error now starts the ladder; the inbox shows it on the item.
	if _, err := b.Dispatcher.Notify(context.Background(), ann, &app.Event{Type: "job_failed", Level: app.LevelError, Title: "Backup failed"}); err != nil {
		t.Fatal(err)
	}
	tb.navigate("/notifications")
	tb.until("the item's escalation", `document.querySelector('.nitem details.nescalation summary') !== null`)
	tb.do(chromedp.Click(chromedp.CSS(`.nitem details.nescalation summary`)))
	tb.until("the ladder's next step", `(document.querySelector('.nitem .nesc-next')||{textContent:''}).textContent.includes('Next: step 1 (send it again')`)

	tb.navigate("/preferences")
	tb.until("the rule listed", `document.querySelector('#escalation-card li.escalation-rule button') !== null`)
	tb.do(chromedp.Click(chromedp.CSS(`#escalation-card li.escalation-rule button`)))
	tb.until("the confirmation", `document.getElementById('confirm').open`)
	tb.do(chromedp.Click(chromedp.CSS(`#confirm-ok`)))
	tb.until("deleted", `document.querySelector('#escalation-card .escalation-none') !== null`)
	if rs, _ := b.Escalation.List(context.Background(), ann); len(rs) != 0 {
		t.Fatalf("%d rules after Delete", len(rs))
	}
}
