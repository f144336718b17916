package ui_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/server/servertest"
	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"
)

// TestBrowserPush: the service worker registers at the root scope; a push
// delivered through the DevTools protocol (notifications allowed with
// Browser.setPermission, which replaced grantPermissions) shows a system
// notification with the notification's title, tag and data; a clear push
// closes it; the preferences page has the push column and the device card.
func TestBrowserPush(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tb := b.signedInTab(t, "ann")

	var mu sync.Mutex
	var regID serviceworker.RegistrationID
	if err := chromedp.Listen(tb.ctx, func(ev any) {
		if e, ok := ev.(*serviceworker.EventWorkerRegistrationUpdated); ok {
			for _, r := range e.Registrations {
				if !r.IsDeleted && r.ScopeURL == b.URL+"/" {
					mu.Lock()
					regID = r.RegistrationID
					mu.Unlock()
				}
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, serviceworker.Enable, struct{}{}); err != nil {
			return err
		}
		_, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: "notifications"}, Setting: cdpbrowser.PermissionSettingGranted,
			Origin: b.URL, BrowserContextID: chromedp.FromContext(ctx).BrowserContextID})
		return err
	}))
	tb.navigate("/preferences")
	if scope := await[string](tb, `navigator.serviceWorker.ready.then(r => r.scope)`); scope != b.URL+"/" {
		t.Fatalf("service worker scope %q", scope)
	}
	tb.until("the push column", `document.querySelector('input[data-pref="job_failed_push"]').checked &&
		!document.querySelector('input[data-pref="weekly_report_push"]').checked`)
	tb.until("the device card", `document.getElementById('push-status').textContent.length > 0 && document.getElementById('push-devices').children.length > 0`)
	waitFor(t, "the registration id", func() bool { mu.Lock(); defer mu.Unlock(); return regID != "" })

	res, err := b.Dispatcher.Notify(context.Background(), ann, &app.Event{Type: "job_failed", Title: "Backup failed", Body: "Disk full"})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Notifications[0].ID
	push := func(m map[string]any) {
		data, _ := json.Marshal(m)
		mu.Lock()
		reg := regID
		mu.Unlock()
		tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{
				Origin: b.URL, RegistrationID: reg, Data: string(data)})
			return err
		}))
	}
	push(map[string]any{"kind": "notify", "id": id, "tag": "belfry-" + id, "title": "Backup failed", "body": "Disk full",
		"level": "error", "icon": "/push/icons/error.png", "url": "/n/" + id, "badge": 1})
	shown := `navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => JSON.stringify(ns.map(n => ({title: n.title, tag: n.tag, body: n.body, id: n.data && n.data.id, url: n.data && n.data.url, actions: n.actions.map(a => a.action)}))))`
	var got []struct {
		Title, Tag, Body, ID, URL string
		Actions                   []string
	}
	deadline := time.Now().Add(browserTimeout)
	for len(got) == 0 && time.Now().Before(deadline) {
		_ = json.Unmarshal([]byte(await[string](tb, shown)), &got)
		time.Sleep(25 * time.Millisecond)
	}
	if len(got) != 1 || got[0].Title != "Backup failed" || got[0].Tag != "belfry-"+id || got[0].ID != id || got[0].URL != "/n/"+id ||
		got[0].Body != "Disk full" || len(got[0].Actions) != 1 || got[0].Actions[0] != "read" {
		t.Fatalf("notifications shown: %+v", got)
	}
	push(map[string]any{"kind": "clear", "id": id, "tag": "belfry-" + id})
	tb.until("the clear push closes it", `navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.length === 0)`)
}

// TestBrowserPushDevices: the device card lists the user's devices (a
// subscription made through the API, as a browser's would be), sends a test
// push to one through the push service, and removes it.
func TestBrowserPushDevices(t *testing.T) {
	svc := apptest.NewPushService(t)
	b := newBelfryWith(t, func(c *app.Config) { svc.Configure(&c.Push) })
	ann := b.user("ann", false)
	body := strings.Replace(svc.Device("phone").JSON(), `"expirationTime":null`, `"name":"Ann's phone","expirationTime":null`, 1)
	if w := b.Do("POST", "/api/push/subscriptions", body, servertest.Cookie(b.Session(ann))); w.Code != 201 {
		t.Fatalf("subscribe: %d %s", w.Code, w.Body)
	}
	tb := b.signedInTab(t, "ann")
	tb.navigate("/preferences")
	tb.until("the device", `document.querySelector('#push-devices li[data-device] strong') !== null &&
		document.querySelector('#push-devices li[data-device] strong').textContent === "Ann's phone"`)
	tb.do(chromedp.Click(chromedp.CSS(`#push-devices li[data-device] button.btn:not(.danger)`)))
	tb.until("the test push queued", `document.getElementById('push-status').textContent.startsWith('Test push sent')`)
	if got := svc.WaitFor("the test push", func(r []apptest.PushReceived) bool { return len(r) > 0 })[0]; got.Payload["kind"] != "test" {
		t.Fatalf("test push %v", got.Payload)
	}
	tb.do(chromedp.Click(chromedp.CSS(`#push-devices li[data-device] button.danger`)))
	tb.until("the device removed", `document.querySelector('#push-devices li[data-device]') === null`)
}
