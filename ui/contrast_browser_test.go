package ui_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// contrastJS is the WCAG contrast ratio of the element's text colour over
// the background colour of its nearest ancestor that paints one (rgb() or,
// from color-mix(), color(srgb …)).
func contrastJS(sel string) string {
	return `(function () {
		var e = document.querySelector(` + jsString(sel) + `); var s = getComputedStyle(e);
		var bg = e; while (bg && /rgba\(.*, 0\)|transparent/.test(getComputedStyle(bg).backgroundColor)) bg = bg.parentElement;
		var back = bg ? getComputedStyle(bg).backgroundColor : 'rgb(255, 255, 255)';
		function lum(c) { var scale = /^color\(srgb/.test(c) ? 1 : 255; // color-mix() computes to color(srgb r g b)
			var v = c.replace(/^color\(srgb/, '').match(/[\d.]+/g).slice(0, 3).map(Number).map(function (x) { x /= scale; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
			return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; }
		var a = lum(s.color), b = lum(back); return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); })()`
}

// The unread badge, the login error and the confirm dialog's danger button
// reach WCAG AA (4.5:1) in both themes; the account menu's name holds its
// visible text; the 🗑 is fully opaque when focused.
func TestBrowserContrastAndNames(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tok := b.token(ann)
	b.publish(tok, map[string]any{"type": "job_failed", "title": "Disk full"})
	tb := b.signedInTab(t, "ann")
	tb.until("the badge", `!document.getElementById('badge').hidden`)
	for _, dark := range []bool{false, true} {
		tb.viewport(1280, 800, dark)
		if r := eval[float64](tb, contrastJS(`#badge`)); r < 4.5 {
			t.Errorf("dark=%v: badge contrast %.2f:1", dark, r)
		}
		eval[chromedp.Void](tb, `document.getElementById('confirm').showModal(); 0`)
		if r := eval[float64](tb, contrastJS(`#confirm-ok`)); r < 4.5 {
			t.Errorf("dark=%v: confirm button contrast %.2f:1", dark, r)
		}
		eval[chromedp.Void](tb, `document.getElementById('confirm').close(); 0`)
	}
	tb.viewport(1280, 800, false)
	tb.do(chromedp.Focus(chromedp.CSS(`.nitem .ndelete`)))
	if got := eval[string](tb, `document.activeElement.matches('.ndelete') ? getComputedStyle(document.activeElement).opacity : 'not focused'`); got != "1" {
		t.Errorf("focused 🗑 opacity %s, want 1", got)
	}
	if got := eval[string](tb, `document.querySelector('.usermenu summary').getAttribute('aria-label') || ''`); got != "" {
		t.Errorf("the account menu's aria-label %q overrides its visible text", got)
	}

	login := b.openTab(t)
	for _, dark := range []bool{false, true} {
		login.viewport(1280, 800, dark)
		login.do(chromedp.Navigate(b.URL+"/login?error=1"), chromedp.WaitVisible(chromedp.CSS(`.login .alert-error`)))
		if r := eval[float64](login, contrastJS(`.login .alert-error p`)); r < 4.5 {
			t.Errorf("dark=%v: login error contrast %.2f:1", dark, r)
		}
	}
}
