package ui_test

import (
	"context"
	"database/sql"
	"fmt"
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
	if got := eval[int](tb, `document.querySelectorAll('#pref-rows tr input[role=switch]').length`); got != 3*rows { // in-app, toast, push (e-mail is off)
		t.Fatalf("after reset the table has %d switches in rows, want %d", got, 3*rows)
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

// While the server cannot be reached every action says so: a switch flips
// back, Mark all read shows an error, the dropdown stops saying Loading….
func TestBrowserServerDownActionsSaySo(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	id := b.publish(tok, map[string]any{"type": "job_failed", "title": "Disk full"})
	tb := b.signedInTab(t, "ann")
	tb.until("the item", `document.querySelector('`+itemSel(id)+`.unread') !== null`)

	b.Unreachable.Store(true)
	tb.do(chromedp.Click(chromedp.CSS(`#mark-all-read`)))
	tb.until("an error for Mark all read", `document.querySelector('#flash .alert-error') !== null && /could not be reached/.test(document.querySelector('#flash').textContent)`)
	if eval[bool](tb, `document.querySelector('`+itemSel(id)+`.unread') === null`) {
		t.Error("the item shows read though nothing was saved")
	}
	tb.do(chromedp.Click(chromedp.CSS(`#bell-button`)))
	tb.until("the dropdown to say it could not load", `document.querySelector('#panel-items .load-failed') !== null`)
	tb.do(chromedp.KeyEvent("\x1b"))

	b.Unreachable.Store(false)
	tb.navigate("/preferences")
	b.Unreachable.Store(true)
	eval[chromedp.Void](tb, `document.getElementById('flash').replaceChildren(); 0`)
	toast := `input[data-pref="job_failed_toast"]`
	tb.do(chromedp.Click(chromedp.CSS(toast)))
	tb.until("an error for the switch", `document.querySelector('#flash .alert-error') !== null`)
	tb.until("the switch to flip back", `document.querySelector('`+toast+`').checked && !document.querySelector('`+toast+`').hasAttribute('aria-busy')`)
	b.Unreachable.Store(false)
	if p, err := b.Preferences.Preferences(context.Background(), ann.ID); err != nil || len(p) != 0 {
		t.Errorf("preferences stored while unreachable: %v %v", p, err)
	}
}

// A notification read in one tab stops being bold in the other.
func TestBrowserReadInOneTabShowsInTheOther(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	one := b.signedInTab(t, "ann")
	two := b.signedInTab(t, "ann")
	id := b.publish(tok, map[string]any{"type": "job_failed", "title": "Disk full"})
	b.publish(tok, map[string]any{"type": "job_failed", "title": "Disk still full"})
	for _, tb := range []*tab{one, two} {
		tb.until("the item unread", `document.querySelector('`+itemSel(id)+`.unread') !== null && document.querySelectorAll('#page-items .nitem').length === 2`)
		tb.idle()
	}
	one.do(chromedp.Click(chromedp.CSS(itemSel(id) + ` .ntitle`)))
	two.until("the badge to fall", `document.getElementById('badge').textContent === '1'`)
	two.until("the item read in the other tab", `document.querySelector('`+itemSel(id)+`') !== null && document.querySelector('`+itemSel(id)+`.unread') === null`)
}

// The focus stays where a keyboard user works: after 🗑 on the next item,
// after Escape on the account menu; the dropdown closes when the focus
// leaves it.
func TestBrowserFocusAfterDeleteEscapeAndLeaving(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	var ids []string
	for _, title := range []string{"first", "second", "third"} {
		ids = append(ids, b.publish(tok, map[string]any{"type": "job_completed", "title": title}))
	}
	tb := b.signedInTab(t, "ann")
	tb.until("three items", `document.querySelectorAll('#page-items .nitem').length === 3`)
	tb.idle()
	// The list is newest first: third, second, first. Delete "second".
	tb.do(chromedp.Focus(chromedp.CSS(itemSel(ids[1])+` .ndelete`)), chromedp.KeyEvent("\r"))
	tb.until("the item gone", `document.querySelector('`+itemSel(ids[1])+`') === null`)
	tb.until("the focus on the next 🗑", `document.activeElement === document.querySelector('`+itemSel(ids[0])+` .ndelete')`)

	tb.do(chromedp.Focus(chromedp.CSS(`.usermenu summary`)), chromedp.KeyEvent("\r"))
	tb.until("the menu open", `document.querySelector('.usermenu').open`)
	tb.do(chromedp.Focus(chromedp.CSS(`.usermenu .menu-item`)), chromedp.KeyEvent("\x1b"))
	tb.until("the menu closed, the focus on its summary", `!document.querySelector('.usermenu').open && document.activeElement === document.querySelector('.usermenu summary')`)

	tb.do(chromedp.Click(chromedp.CSS(`#bell-button`)))
	tb.until("the dropdown open", `!document.getElementById('bell-panel').hidden`)
	tb.idle()
	tb.do(chromedp.Focus(chromedp.CSS(`.sidenav a`)))
	tb.until("the dropdown to close when the focus left", `document.getElementById('bell-panel').hidden`)
}

// A list grown by Load more keeps every item when a new event arrives.
func TestBrowserLongListKeepsItsLengthOnNewEvents(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	for i := 0; i < 110; i++ { // pages of 50: 50, 100, 110
		b.publish(tok, map[string]any{"type": "job_completed", "title": "old " + string(rune('A'+i%26))})
	}
	tb := b.signedInTab(t, "ann")
	for _, want := range []string{"100", "110"} {
		tb.clickUntil(want+" items", `#page-items .more button`, `document.querySelectorAll('#page-items .nitem').length === `+want)
		tb.idle()
	}
	id := b.publish(tok, map[string]any{"type": "job_failed", "title": "new one"})
	tb.until("the new item at the top", `document.querySelector('#page-items .nitem').dataset.nid === `+jsString(id))
	tb.idle()
	if n := eval[int](tb, `document.querySelectorAll('#page-items .nitem').length`); n != 111 {
		t.Errorf("after a new event the list shows %d items, want 111", n)
	}
	if n := eval[int](tb, `new Set([...document.querySelectorAll('#page-items .nitem')].map(e => e.dataset.nid)).size`); n != 111 {
		t.Errorf("%d distinct items, want 111", n)
	}
}

// visibleJS is true when the element's middle is the element itself (or
// inside it) as the page paints it: not cut off, not covered, not clipped.
func visibleJS(sel string) string {
	return `(function () { var e = document.querySelector(` + jsString(sel) + `); if (!e) return false;
		var r = e.getBoundingClientRect(); if (r.width === 0 || r.left < 0 || r.right > innerWidth) return false;
		e.scrollIntoView({ block: 'center' }); r = e.getBoundingClientRect();
		var at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return !!at && (at === e || e.contains(at)); })()`
}

// At phone width every section of the navigation and every row's actions
// are on screen; on the desktop the reset-password pop-over is not clipped
// and shows its result.
func TestBrowserPhoneTablesNavigationAndPopover(t *testing.T) {
	b := newBelfry(t)
	root := b.user("root", true)
	b.token(root)
	zoe := b.user("zoe", false) // the last row, whose pop-over reaches below the table
	tb := b.signedInTab(t, "root")
	tb.viewport(390, 844, false)
	for _, p := range []string{"/tokens", "/admin/users"} {
		tb.navigate(p)
		n := eval[int](tb, `document.querySelectorAll('.sidenav a').length`)
		for i := 0; i < n; i++ {
			if !eval[bool](tb, visibleJS(fmt.Sprintf(`.sidenav a:nth-of-type(%d)`, i+1))) {
				t.Errorf("%s at phone width: navigation link %d (%s) is not visible", p, i+1, eval[string](tb, fmt.Sprintf(`document.querySelectorAll('.sidenav a')[%d].textContent`, i)))
			}
		}
		rows := eval[int](tb, `document.querySelectorAll('table.rows tbody tr').length`)
		if rows == 0 {
			t.Fatalf("%s: no rows at %s", p, eval[string](tb, `location.href + document.title`))
		}
		for i := 0; i < rows; i++ {
			sel := fmt.Sprintf(`table.rows tbody tr:nth-of-type(%d) .row-actions > :last-child`, i+1)
			if eval[bool](tb, `document.querySelector(`+jsString(sel)+`) !== null`) && !eval[bool](tb, visibleJS(sel)) {
				t.Errorf("%s at phone width: the last action of row %d is cut off", p, i+1)
			}
		}
	}
	tb.viewport(1280, 800, false)
	tb.navigate("/admin/users")
	form := `#user-list form[hx-put="/ui/users/` + zoe.ID + `/password"]`
	tb.do(chromedp.Click(chromedp.CSS(`#user-list details:has(` + form[len("#user-list "):] + `) summary`)))
	tb.until("the pop-over", `document.querySelector('`+form+`').checkVisibility()`)
	// A card that scrolls would hide the pop-over's end behind its edge.
	if eval[bool](tb, `(function () { var c = document.getElementById('user-list'); return getComputedStyle(c).overflowY !== 'visible' && c.scrollHeight > c.clientHeight + 1; })()`) ||
		!eval[bool](tb, visibleJS(form+` button[type=submit]`)) {
		t.Fatal("the reset-password pop-over is clipped")
	}
	tb.do(chromedp.SendKeys(chromedp.CSS(form+` input[name=password]`), "a new long password"), chromedp.Click(chromedp.CSS(form+` button[type=submit]`)))
	tb.until("the result", `document.querySelector('`+form+` .form-result .alert') !== null`)
	if !eval[bool](tb, visibleJS(form+` .form-result .alert`)) {
		t.Error("the reset-password result is clipped: " + eval[string](tb, `(function(){var e=document.querySelector(`+jsString(form+` .form-result .alert`)+`);var r=e.getBoundingClientRect();var at=document.elementFromPoint(r.left+r.width/2,r.top+r.height/2);return JSON.stringify(r)+" "+innerHeight+" "+(at&&at.outerHTML.slice(0,200))})()`))
	}
}
