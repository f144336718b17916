package ui_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// inboxStart is when the seeded inbox begins: notification i was created i
// minutes later.
var inboxStart = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// newInbox starts Belfry and gives ann an inbox of n notifications
// (apptest.Inbox, of the spec's built-in types), oldest first.
func newInbox(t *testing.T, n int) (*belfry, *app.User, []*app.Notification) {
	t.Helper()
	b := newBelfry(t)
	ann := b.user("ann", false)
	return b, ann, apptest.Inbox(t, b.Notifications, ann.ID, n, inboxStart)
}

// newest returns the id of the newest seeded notification i that keep
// selects, below below.
func newest(ns []*app.Notification, below int, keep func(i int) bool) string {
	for i := below - 1; i >= 0; i-- {
		if keep(i) {
			return ns[i].ID
		}
	}
	return ""
}

// firstItem is the expression of the first list item's id.
const firstItem = `document.querySelector('#page-items .nitem').dataset.nid`

// setFilter sets a filter field of the page and lets the form hear it
// change, as choosing in a select does.
func (tb *tab) setFilter(name, value string) {
	tb.t.Helper()
	tb.idle()
	tb.do(chromedp.Evaluate[chromedp.Void](`(function () { var el = document.querySelector('#filters [name=` + name + `]');
		el.value = ` + jsString(value) + `; el.dispatchEvent(new Event('change', { bubbles: true })); })()`))
}

// TestBrowserInboxAt10000 searches, filters and pages an inbox of 10,000
// notifications in Chromium, with the keyboard where a person would.
func TestBrowserInboxAt10000(t *testing.T) {
	b, ann, ns := newInbox(t, 10_000)
	tb := b.signedInTab(t, "ann")
	all := func(int) bool { return true }
	tb.until("the first page of 50, newest first", `document.querySelectorAll('#page-items .nitem').length === 50 && `+
		firstItem+` === `+jsString(ns[9999].ID)+` && document.querySelector('#page-items li.more button') !== null`)

	// Search by keyboard: typing narrows the list to the one ticket, in the
	// address too, and a status line says so.
	tb.do(chromedp.Focus(chromedp.CSS(`#filter-q`)), chromedp.KeyEvent("TICKET-04321."))
	tb.until("the one match", `document.querySelectorAll('#page-items .nitem').length === 1 && `+firstItem+` === `+jsString(ns[4321].ID)+
		` && new URLSearchParams(location.search).get('q') === 'TICKET-04321.'`)
	tb.until("the status line", `document.getElementById('filter-status').textContent === '1 notification shown.'`)
	if got := eval[string](tb, `document.activeElement.id`); got != "filter-q" {
		t.Errorf("the focus moved to %q while typing a search", got)
	}
	tb.do(chromedp.KeyEvent("xyz"))
	tb.until("the no-match state", `document.querySelector('#page-items .empty') !== null && document.getElementById('filter-status').textContent === 'No notifications match.'`)

	// Back restores the previous list and puts the search box back.
	tb.do(chromedp.NavigateBack())
	tb.until("the one match again", `document.querySelectorAll('#page-items .nitem').length === 1 && document.getElementById('filter-q').value === 'TICKET-04321.'`)
	tb.navigate("/notifications")

	// Each filter, checked against what the seed made every row.
	for _, f := range []struct {
		name, value string
		keep        func(i int) bool
		every       string // what each shown item must match
	}{
		{"level", "error", func(i int) bool { return i%10 == 0 }, `.level-error`},
		{"type", "weekly_report", func(i int) bool { return i%4 == 2 }, ``},
		{"service_id", "svc-3", func(i int) bool { return i%7 == 3 }, ``},
		{"project", "proj-4", func(i int) bool { return i%5 == 4 }, ``},
		{"read", "read", func(i int) bool { return i%3 == 0 }, `:not(.unread)`},
		{"read", "unread", func(i int) bool { return i%3 != 0 }, `.unread`},
	} {
		tb.setFilter(f.name, f.value)
		want := newest(ns, len(ns), f.keep)
		tb.until(f.name+"="+f.value, firstItem+` === `+jsString(want)+` && document.querySelectorAll('#page-items .nitem').length === 50`+
			` && new URLSearchParams(location.search).get(`+jsString(f.name)+`) === `+jsString(f.value))
		if f.every != "" {
			if n := eval[int](tb, `document.querySelectorAll('#page-items .nitem:not(`+f.every+`)').length`); n != 0 {
				t.Errorf("%s=%s: %d items that do not match", f.name, f.value, n)
			}
		}
		tb.setFilter(f.name, "")
	}
	tb.until("the unfiltered list", firstItem+` === `+jsString(ns[9999].ID))

	// The date jump: 2026-03-03 shows that day and older, 4,320 minutes
	// after the start.
	tb.setFilter("before", "2026-03-03")
	tb.until("the jump", firstItem+` === `+jsString(newest(ns, 3*24*60, all)))

	// Deep items by keyset: from item 9,000 down (a date jump to day 6
	// lands on 8,639), "Load more" by keyboard keeps the focus moving.
	tb.setFilter("before", "2026-03-06")
	tb.until("day six", firstItem+` === `+jsString(ns[6*24*60-1].ID))
	for page := 1; page <= 3; page++ {
		tb.idle()
		tb.do(chromedp.Focus(chromedp.CSS(`#page-items li.more button`)), chromedp.KeyEvent("\r"))
		n := 50 * (page + 1)
		tb.until(fmt.Sprintf("%d items", n), fmt.Sprintf(`document.querySelectorAll('#page-items .nitem').length === %d`, n))
		tb.until("the focus on the first new item", `document.activeElement.closest('.nitem') === document.querySelectorAll('#page-items .nitem')[`+fmt.Sprint(n-50)+`]`)
	}
	if got := eval[string](tb, `document.querySelectorAll('#page-items .nitem')[199].dataset.nid`); got != ns[6*24*60-200].ID {
		t.Errorf("item 200 of the jump is %s, want %s", got, ns[6*24*60-200].ID)
	}

	// A new notification arrives while 200 are shown: it is merged in on
	// top (the jump does not hide it: the list's first page is reloaded
	// with the filters, which exclude it), and the list keeps its 200.
	tb.setFilter("before", "")
	tb.until("the top again", firstItem+` === `+jsString(ns[9999].ID))
	for page := 1; page <= 4; page++ {
		tb.idle()
		tb.do(chromedp.Click(chromedp.CSS(`#page-items li.more button`)))
		tb.until("another page", fmt.Sprintf(`document.querySelectorAll('#page-items .nitem').length === %d`, 50*(page+1)))
	}
	id := b.publish(b.token(ann), map[string]any{"type": "job_failed", "title": "Fresh one"})
	tb.until("the new item on top of 251", firstItem+` === `+jsString(id)+` && document.querySelectorAll('#page-items .nitem').length === 251`)

	// The bell's panel opens with the newest eight.
	tb.do(chromedp.Click(chromedp.CSS(`#bell-button`)))
	tb.until("the panel's list", `!document.getElementById('bell-panel').hidden && document.querySelectorAll('#panel-items .nitem').length === 8 && `+
		`document.querySelector('#panel-items .nitem').dataset.nid === `+jsString(id))
	tb.until("the panel's measure", `performance.getEntriesByName('bell-panel-ready').length === 1`)
}

// TestBrowserInboxFiltersPhoneDarkKeyboard checks the filters at phone
// width in the dark theme: every control on screen with nothing cut off,
// each with an accessible name, reachable with Tab, and a select worked
// from the keyboard filters the list.
func TestBrowserInboxFiltersPhoneDarkKeyboard(t *testing.T) {
	b, _, ns := newInbox(t, 120)
	tb := b.signedInTab(t, "ann")
	tb.viewport(390, 844, true)
	tb.navigate("/notifications")
	if w := eval[int](tb, `document.documentElement.scrollWidth - innerWidth`); w > 0 {
		t.Errorf("the page is %d px wider than the phone", w)
	}
	controls := []string{`#filter-q`, `#filters select[name=read]`, `#filters select[name=level]`, `#filters select[name=type]`,
		`#filters input[name=service_id]`, `#filters input[name=project]`, `#filters input[name=before]`, `#clear-filters`}
	for _, sel := range controls {
		if !eval[bool](tb, visibleJS(sel)) {
			t.Errorf("%s is not on screen at phone width", sel)
		}
		name := eval[string](tb, `(function () { var e = document.querySelector(`+jsString(sel)+`); return (e.labels && e.labels[0] ? e.labels[0].textContent : e.textContent).trim(); })()`)
		if name == "" {
			t.Errorf("%s has no label", sel)
		}
	}
	tb.shot("inbox-filters-phone-dark")
	wantContrast := func(theme string) {
		for _, sel := range []string{`.filter-field span`, `#page-items .nsource`, `#clear-filters`, `#filters select[name=level]`} {
			if r := eval[float64](tb, contrastJS(sel)); r < 4.5 {
				t.Errorf("%s: %s has contrast %.2f:1, want 4.5:1", theme, sel, r)
			}
		}
	}
	wantContrast("dark")

	// Tab walks the controls in order, with a visible focus ring (the
	// date field takes a Tab for each of its parts).
	tb.do(chromedp.Focus(chromedp.CSS(`#filter-q`)))
	for _, sel := range controls[1:] {
		at := `document.activeElement === document.querySelector(` + jsString(sel) + `)`
		for tabs := 0; tabs < 5 && (tabs == 0 || !eval[bool](tb, at)); tabs++ {
			tb.do(chromedp.KeyEvent("\t"))
		}
		if !eval[bool](tb, at) {
			t.Fatalf("Tab did not reach %s (at %s)", sel, eval[string](tb, `document.activeElement.outerHTML.slice(0, 80)`))
		}
		if style := eval[string](tb, `getComputedStyle(document.activeElement).outlineStyle`); style == "none" {
			t.Errorf("%s shows no focus outline", sel)
		}
	}
	// The level select, by keyboard: down from "All levels" is "Info".
	tb.do(chromedp.Focus(chromedp.CSS(`#filters select[name=level]`)), chromedp.KeyEvent(kb.ArrowDown))
	tb.until("info only", firstItem+` === `+jsString(newest(ns, len(ns), func(i int) bool { return i%10 > 2 }))+
		` && location.search.includes('level=info') && document.querySelectorAll('#page-items .nitem:not(.level-info)').length === 0`)
	tb.viewport(1280, 800, false)
	tb.navigate("/notifications?level=warning&q=backup")
	tb.shot("inbox-filters-desktop")
	wantContrast("light")

	// An item's service is a link to that service's notifications; following
	// it does not mark the item read.
	unread := eval[string](tb, `document.querySelector('#page-items .nitem.unread').dataset.nid`)
	var svc string
	for _, n := range ns {
		if n.ID == unread {
			svc = n.ServiceID
		}
	}
	tb.do(chromedp.Click(chromedp.CSS(itemSel(unread) + ` a.nsource[href*="service_id"]`)))
	tb.until("the service's list", `new URLSearchParams(location.search).get('service_id') === `+jsString(svc)+
		` && document.querySelector('#filters input[name=service_id]').value === `+jsString(svc))
	tb.waitLive(1)
	if n, err := b.Notifications.FindNotification(context.Background(), unread); err != nil || n.IsRead() {
		t.Errorf("following the service link marked the item read (%v)", err)
	}
}
