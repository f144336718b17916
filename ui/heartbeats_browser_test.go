package ui_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// ping sends a GET to url the way a cron wrapper does.
func ping(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(b) != "OK" {
		t.Fatalf("ping %s: %d %q", url, resp.StatusCode, b)
	}
}

func TestBrowserHeartbeatCreatePingAndState(t *testing.T) {
	b := newBelfry(t)
	ann := b.user("ann", false)
	tb := b.signedInTab(t, "ann")
	tb.navigate("/heartbeats")
	tb.until("the empty list", `document.querySelector('#heartbeat-list .empty') !== null`)
	if n := eval[int](tb, `document.querySelectorAll('nav a[href="/heartbeats"]').length`); n != 1 {
		t.Errorf("%d navigation entries for /heartbeats", n)
	}

	// Add a check: its ping URL is shown to copy, and its row appears.
	tb.do(
		chromedp.SendKeys(chromedp.CSS(`#heartbeat-form input[name=name]`), "Nightly backup"),
		chromedp.SetValue(chromedp.CSS(`#heartbeat-form select[name=period]`), "3600"),
		chromedp.SetValue(chromedp.CSS(`#heartbeat-form select[name=grace]`), "300"),
		chromedp.Click(chromedp.CSS(`#heartbeat-form button[type=submit]`)),
	)
	tb.until("the ping URL", `document.getElementById('new-ping-url') !== null`)
	url := eval[string](tb, `document.getElementById('new-ping-url').value`)
	if !strings.HasPrefix(url, b.URL+"/ping/") {
		t.Fatalf("ping URL %q", url)
	}
	tb.until("the row", `document.querySelectorAll('#heartbeat-list tbody tr[data-state="new"]').length === 1`)
	hs, err := b.Heartbeats.List(context.Background(), ann.ID)
	if err != nil || len(hs) != 1 || hs[0].Name != "Nightly backup" || hs[0].Period.Seconds() != 3600 || hs[0].Grace.Seconds() != 300 {
		t.Fatalf("stored %+v, %v", hs, err)
	}
	row := `#heartbeat-` + hs[0].ID
	if got := eval[string](tb, `document.querySelector('`+row+` input.secret').value`); got != url {
		t.Errorf("the row's URL %q, want %q", got, url)
	}

	// A failing run: the page shows the check down.
	ping(t, url+"/fail")
	tb.navigate("/heartbeats")
	tb.until("the down state", `document.querySelector('`+row+`').dataset.state === 'down' && document.querySelector('`+row+` .hb-state').textContent === 'down'`)

	// The next success: up again, and the history shows both pings.
	ping(t, url)
	tb.navigate("/heartbeats")
	tb.until("the up state", `document.querySelector('`+row+`').dataset.state === 'up'`)
	tb.do(chromedp.Click(chromedp.CSS(row + ` .hb-history summary`)))
	tb.until("the history", `document.querySelectorAll('`+row+` .hb-log li').length === 2`)
	if got := eval[string](tb, `document.querySelector('`+row+` .hb-log li .tag').textContent`); got != "success" {
		t.Errorf("the newest log entry is %q", got)
	}
	tb.shot("heartbeats-desktop")

	// Pause, then delete after confirming.
	tb.do(chromedp.Click(chromedp.CSS(row + ` button[hx-post$="/pause"]`)))
	tb.until("the paused state", `document.querySelector('`+row+`').dataset.state === 'paused'`)
	tb.clickUntil("the confirmation", row+` button[hx-delete]`, `document.getElementById('confirm').open && document.getElementById('confirm-ok').textContent === 'Delete'`)
	tb.do(chromedp.Click(chromedp.CSS(`#confirm-ok`)))
	tb.until("the empty list again", `document.querySelector('#heartbeat-list .empty') !== null`)
}
