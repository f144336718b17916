package ui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/chromedp/chromedp"
)

// TestBrowserRouting: an administrator routes a Gotify application to two
// people on the routing page, a message published there reaches both,
// then the route is changed from its row and stopped after confirming.
func TestBrowserRouting(t *testing.T) {
	b := newBelfry(t)
	b.user("root", true)
	alice, bob := b.user("alice", false), b.user("bob", false)
	b.user("carol", false)
	tb := b.signedInTab(t, "root")
	tb.navigate("/admin/routing")
	if got := eval[string](tb, `document.querySelector('nav a[aria-current="page"]') ? document.querySelector('nav a[aria-current="page"]').getAttribute('href') : ''`); got != "/admin/routing" {
		t.Errorf("current navigation entry %q", got)
	}
	form := `#route-form`
	tb.do(
		chromedp.SendKeys(chromedp.CSS(form+` input[name=topic]`), "household"),
		chromedp.Click(chromedp.CSS(form+` input[name=users][value=alice]`)),
		chromedp.Click(chromedp.CSS(form+` input[name=users][value=bob]`)),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
	)
	tb.until("the confirmation", `document.querySelector('#route-result .alert-success') !== null`)
	row := `#route-list tr.route[data-topic="household"]`
	tb.until("the route's row", `document.querySelector('`+row+`') !== null`)
	if got := eval[string](tb, `Array.from(document.querySelectorAll('`+row+` td:nth-child(2) .tag')).map(e => e.textContent).join(',')`); got != "alice,bob" {
		t.Errorf("row shows %q", got)
	}
	if got := eval[string](tb, `document.querySelector('`+form+` input[name=topic]').value`); got != "" {
		t.Errorf("the form kept %q", got)
	}

	// A message from alice's Gotify application reaches bob too.
	secret, _, err := b.Auth.CreateToken(context.Background(), alice.ID, "household", app.ScopePublish)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(b.URL+"/message?token="+secret, "application/json", strings.NewReader(`{"title":"Bins","message":"Tonight."}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("publish: %v %v", resp, err)
	}
	resp.Body.Close()
	for _, u := range []*app.User{alice, bob} {
		if n, _ := b.Notifications.CountNotifications(context.Background(), appFilter(u.ID)); n != 1 {
			t.Errorf("%s has %d notifications", u.Username, n)
		}
	}
	tb.shot("routing-desktop")

	// Change it from the row: bob no longer gets it.
	tb.do(chromedp.Click(chromedp.CSS(row + ` details summary`)))
	tb.until("the change form", visible(row+` details form`))
	tb.do(chromedp.Click(chromedp.CSS(row+` details input[name=users][value=bob]`)),
		chromedp.Click(chromedp.CSS(row+` details button[type=submit]`)))
	tb.until("the changed row", `Array.from(document.querySelectorAll('`+row+` td:nth-child(2) .tag')).map(e => e.textContent).join(',') === 'alice'`)
	tb.until("the flash", `document.querySelector('#flash .alert-success') !== null`)
	if got, _ := b.TopicRoutes.RouteUsers(context.Background(), "household"); strings.Join(got, ",") != "alice" {
		t.Errorf("stored %v", got)
	}

	tb.viewport(390, 844, false)
	tb.navigate("/admin/routing")
	tb.shot("routing-phone")
	tb.viewport(1280, 800, false)
	tb.navigate("/admin/routing")

	// Stop routing after confirming.
	tb.clickUntil("the confirmation", row+` button.danger-outline`, `document.getElementById('confirm').open && document.getElementById('confirm-ok').textContent === 'Stop routing'`)
	tb.do(chromedp.Click(chromedp.CSS(`#confirm-ok`)))
	tb.until("the empty list", `document.querySelector('#route-list .empty') !== null`)
	if got, _ := b.TopicRoutes.RouteUsers(context.Background(), "household"); got != nil {
		t.Errorf("still routed to %v", got)
	}
}
