package ui_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// "Mute this" works with the keyboard alone, in the inbox and in the bell's
// dropdown, reads well in both themes and leaves the focus on what it says.
func TestBrowserMuteThis(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	id := b.publish(tok, deviceEvent("NAS offline"))
	tb := b.signedInTab(t, "ann")
	summary := itemSel(id) + ` .nmute summary`
	tb.until("the item's Mute this", `document.querySelector('`+summary+`') !== null`)
	for _, dark := range []bool{false, true} {
		tb.viewport(1280, 800, dark)
		if r := eval[float64](tb, contrastJS(summary)); r < 4.5 {
			t.Errorf("dark=%v: Mute this contrast %.2f:1", dark, r)
		}
	}
	tb.viewport(1280, 800, false)

	// Keyboard: focus the summary, Enter opens it, Tab reaches the choices,
	// Escape closes it and gives the focus back.
	tb.do(chromedp.Focus(chromedp.CSS(summary)), chromedp.KeyEvent("\r"))
	tb.until("the menu open", `document.querySelector('`+itemSel(id)+` .nmute').open`)
	tb.do(chromedp.KeyEvent("\t"))
	if got := eval[string](tb, `document.activeElement.textContent.trim()`); got != "1 hour" {
		t.Fatalf("Tab from Mute this lands on %q, want 1 hour", got)
	}
	tb.do(chromedp.KeyEvent("\x1b"))
	tb.until("Escape to close the menu onto its summary", `!document.querySelector('`+itemSel(id)+` .nmute').open && document.activeElement.matches('`+summary+`')`)
	if eval[bool](tb, `document.querySelector('`+itemSel(id)+`').classList.contains('unread') === false`) {
		t.Error("opening the mute menu marked the notification read")
	}

	tb.do(chromedp.KeyEvent("\r"), chromedp.KeyEvent("\t"), chromedp.KeyEvent("\t"))
	if got := eval[string](tb, `document.activeElement.textContent.trim()`); got != "1 day" {
		t.Fatalf("second choice is %q, want 1 day", got)
	}
	tb.do(chromedp.KeyEvent("\r"))
	tb.until("the muted state, focused", `document.activeElement.matches('`+itemSel(id)+` .nmuted') && /Muted config\.device nas-01 until/.test(document.activeElement.textContent)`)
	waitFor(t, "the mute to be stored", func() bool {
		m, err := b.Mutes.FindMute(context.Background(), ann.ID, nas01)
		return err == nil && m.ValidTill != nil
	})

	// The dropdown offers it too: forever.
	other := b.publish(tok, map[string]any{"type": "job_failed", "title": "Backup host down",
		"object": map[string]any{"app_label": "config", "model_name": "device", "object_id": "backup-01"}})
	tb.until("the new item", `document.querySelector('`+itemSel(other)+`') !== null`)
	tb.until("the reloaded list to keep the muted state", `document.querySelector('`+itemSel(id)+` .nmuted') !== null && document.querySelector('`+itemSel(id)+` details.nmute') === null`)
	tb.do(chromedp.Click(chromedp.CSS(`#bell-button`)))
	panelItem := `#panel-items .nitem[data-nid="` + other + `"]`
	tb.until("the dropdown's item", `document.querySelector('`+panelItem+` .nmute summary') !== null`)
	tb.do(chromedp.Click(chromedp.CSS(panelItem + ` .nmute summary`)))
	tb.do(chromedp.Click(chromedp.CSS(panelItem + ` button[value=forever]`)))
	tb.until("the dropdown's muted state", `document.querySelector('`+panelItem+` .nmuted') !== null && /forever/.test(document.querySelector('`+panelItem+` .nmuted').textContent)`)
	if eval[bool](tb, `document.getElementById('bell-panel').hidden`) {
		t.Error("muting closed the dropdown")
	}
	ms, err := b.Mutes.ListMutes(context.Background(), ann.ID)
	if err != nil || len(ms) != 2 {
		t.Fatalf("mutes: %v %v", ms, err)
	}
	tb.shot("mute-this")
}
