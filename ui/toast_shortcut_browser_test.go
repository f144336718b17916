package ui_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// altT presses Alt+T.
func altT() chromedp.Action[chromedp.Void] {
	return chromedp.KeyEvent("t", chromedp.KeyModifiers(chromedp.ModifierAlt))
}

// Alt+T moves the focus to the newest toast and back; Escape goes back
// too, and so does dismissing the focused toast. Screen readers hear of
// the shortcut with the first toast, and hear when there is no toast.
func TestBrowserToastShortcut(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	tb := b.signedInTab(t, "ann")
	start := `#mark-all-read`

	tb.do(chromedp.Focus(chromedp.CSS(start)), altT())
	tb.until("the status to say there is no toast", `document.getElementById('shortcut-status').textContent === 'There is no toast.'`)
	if !eval[bool](tb, `document.activeElement.matches('`+start+`')`) {
		t.Fatal("Alt+T without a toast moved the focus")
	}

	first := b.publish(tok, map[string]any{"type": "job_failed", "title": "Disk full"})
	newest := b.publish(tok, map[string]any{"type": "job_failed", "title": "Disk fuller"})
	tb.until("both toasts", `document.querySelectorAll('#toasts .toast').length === 2`)
	if got := eval[string](tb, `document.querySelector('#toasts .toast[data-nid="`+first+`"] .sr').textContent`); got != " Press Alt+T to move to the newest toast." {
		t.Errorf("the first toast tells screen readers %q", got)
	}
	if n := eval[int](tb, `document.querySelectorAll('#toasts .toast .sr').length`); n != 1 {
		t.Errorf("%d toasts carry the hint, want only the first", n)
	}

	tb.do(chromedp.Focus(chromedp.CSS(start)), altT())
	tb.until("the newest toast focused", `document.activeElement.matches('#toasts .toast[data-nid="`+newest+`"]')`)
	if got := eval[string](tb, `document.getElementById(document.activeElement.getAttribute('aria-labelledby')).textContent`); got != "Disk fuller" {
		t.Errorf("the focused toast is named %q", got)
	}
	if got := eval[string](tb, `getComputedStyle(document.activeElement).outlineStyle`); got != "solid" {
		t.Errorf("the focused toast shows no outline (%s)", got)
	}
	tb.do(altT())
	tb.until("Alt+T back to where the focus was", `document.activeElement.matches('`+start+`')`)

	tb.do(altT())
	tb.until("the toast again", `document.activeElement.matches('#toasts .toast')`)
	tb.do(chromedp.KeyEvent("\x1b"))
	tb.until("Escape back", `document.activeElement.matches('`+start+`')`)

	// Dismissing the focused toast from the keyboard gives the focus back.
	tb.do(altT(), chromedp.KeyEvent("\t"))
	tb.until("the toast's dismiss button", `document.activeElement.matches('#toasts .toast[data-nid="`+newest+`"] .toast-close')`)
	tb.do(chromedp.KeyEvent("\r"))
	tb.until("the toast gone and the focus back", `document.querySelector('#toasts .toast[data-nid="`+newest+`"]') === null && document.activeElement.matches('`+start+`')`)

	// The account menu tells sighted keyboard users, readable in both themes.
	tb.do(chromedp.Click(chromedp.CSS(`.usermenu summary`)))
	for _, dark := range []bool{false, true} {
		tb.viewport(1280, 800, dark)
		if r := eval[float64](tb, contrastJS(`.menu-hint`)); r < 4.5 {
			t.Errorf("dark=%v: shortcut hint contrast %.2f:1", dark, r)
		}
	}
}
