package ui_test

import (
	"context"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/chromedp/chromedp"
)

// TestBrowserScheduledListAndCancel: the scheduled page lists the
// user's pending events, earliest first, with their delivery time; cancel
// asks first, then removes the event from the page and the store.
func TestBrowserScheduledListAndCancel(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tb := b.signedInTab(t, "ann")
	tb.navigate("/scheduled")
	tb.until("the empty list", `document.querySelector('#scheduled-list .empty') !== null`)
	if n := eval[int](tb, `document.querySelectorAll('nav a[href="/scheduled"]').length`); n != 1 {
		t.Errorf("%d navigation entries for /scheduled", n)
	}

	ctx := context.Background()
	now := time.Now()
	later, err := b.Schedule.Schedule(ctx, ann, false, &app.Event{Type: "backup_done", Title: "Water the plants", Level: app.LevelWarning}, now.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	sooner, err := b.Schedule.Schedule(ctx, ann, false, &app.Event{Type: "backup_done", Title: "Take the bins out"}, now.Add(30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	tb.navigate("/scheduled")
	tb.until("two rows", `document.querySelectorAll('#scheduled-list tbody tr').length === 2`)
	if got := eval[string](tb, `document.querySelector('#scheduled-list tbody tr').id`); got != "scheduled-"+sooner.ID {
		t.Errorf("first row %q, want the sooner event", got)
	}
	if got := eval[string](tb, `document.querySelector('#scheduled-`+sooner.ID+` time').textContent`); got != "in 30 min" {
		t.Errorf("delivery shown as %q", got)
	}
	tb.shot("scheduled-desktop")

	row := `#scheduled-` + later.ID
	tb.clickUntil("the confirmation", row+` button[hx-delete]`, `document.getElementById('confirm').open && document.getElementById('confirm-ok').textContent === 'Cancel it'`)
	tb.do(chromedp.Click(chromedp.CSS(`#confirm-ok`)))
	tb.until("one row left", `document.querySelectorAll('#scheduled-list tbody tr').length === 1 && document.querySelector('`+row+`') === null`)
	left, err := b.Schedule.List(ctx, ann.ID)
	if err != nil || len(left) != 1 || left[0].ID != sooner.ID {
		t.Fatalf("stored after cancel: %+v, %v", left, err)
	}
	// Another user's page does not show ann's.
	b.user("bob", false)
	other := b.signedInTab(t, "bob")
	other.navigate("/scheduled")
	other.until("bob's empty list", `document.querySelector('#scheduled-list .empty') !== null`)
}
