package ntfy_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/server/servertest"
)

// scheduledHarness is the harness on a fake clock (Sunday 1 March 2026,
// 12:00 UTC) in the server time zone UTC.
func scheduledHarness(t *testing.T) (*harness, *clocktest.Fake) {
	c := clocktest.New()
	h := newHarness(t, servertest.WithClock(c), servertest.WithConfig(func(cfg *app.Config) {
		cfg.Report.Timezone = "UTC"
		cfg.Report.Enabled = false
	}))
	return h, c
}

// scheduled sends r, expects ntfy's answer for a scheduled message — the
// message with its future time, its id as its sequence id — and that no
// notification exists yet.
func (h *harness) scheduled(r req) answer {
	h.t.Helper()
	before := h.count()
	rp := h.do(r)
	var a answer
	if rp.status != http.StatusOK || json.Unmarshal(rp.body, &a) != nil || a.Event != "message" || a.ID == "" || a.SequenceID != a.ID {
		h.t.Fatalf("%s %s %v: %d %s", r.method, r.path, r.headers, rp.status, rp.body)
	}
	if h.count() != before {
		h.t.Fatalf("%s %s %v: a scheduled message created a notification at once", r.method, r.path, r.headers)
	}
	return a
}

// TestScheduledNames: every name of ntfy's delay parameter, as a header
// and as a query parameter, and the JSON field, schedules the message.
func TestScheduledNames(t *testing.T) {
	h, c := scheduledHarness(t)
	want := c.Now().Add(30 * time.Minute).Unix()
	for _, name := range []string{"X-Delay", "Delay", "X-At", "At", "X-In", "In"} {
		if a := h.scheduled(req{method: "POST", path: "/mytopic", body: "Later", headers: []string{name + ": 30m"}}); a.Time != want || a.Message != "Later" {
			t.Errorf("header %s: %+v", name, a)
		}
		q := strings.ToLower(name)
		if a := h.scheduled(req{method: "PUT", path: "/mytopic?" + url.Values{q: {"30min"}}.Encode(), body: "Later"}); a.Time != want {
			t.Errorf("query %s: %+v", q, a)
		}
	}
	if a := h.scheduled(req{method: "GET", path: "/mytopic/publish?message=Later&in=30m"}); a.Time != want {
		t.Errorf("GET publish: %+v", a)
	}
	if a := h.scheduled(req{method: "POST", path: "/", body: `{"topic":"mytopic","message":"Later","delay":"30 minutes"}`}); a.Time != want || a.Topic != "mytopic" {
		t.Errorf("JSON: %+v", a)
	}
}

// TestScheduledForms: ntfy's forms of a delivery time — Unix seconds,
// durations with units or words, and natural times in the server's zone
// (a time of day that passed today is tomorrow's).
func TestScheduledForms(t *testing.T) {
	h, c := scheduledHarness(t)
	now := c.Now() // Sunday 1 March 2026, 12:00 UTC
	day := func(d, hour, minute int) int64 { return time.Date(2026, 3, d, hour, minute, 0, 0, time.UTC).Unix() }
	for _, f := range []struct {
		value string
		want  int64
	}{
		{fmt.Sprint(now.Add(2 * time.Hour).Unix()), now.Add(2 * time.Hour).Unix()},
		{"30m", now.Add(30 * time.Minute).Unix()},
		{"30min", now.Add(30 * time.Minute).Unix()},
		{"3h", now.Add(3 * time.Hour).Unix()},
		{"2 hours", now.Add(2 * time.Hour).Unix()},
		{"1 day", now.Add(24 * time.Hour).Unix()},
		{"2 days", now.Add(48 * time.Hour).Unix()},
		{"1h30m", now.Add(90 * time.Minute).Unix()},
		{"90s", now.Add(90 * time.Second).Unix()},
		{"1pm", day(1, 13, 0)},
		{"8:30pm", day(1, 20, 30)},
		{"10am", day(2, 10, 0)}, // passed today
		{"tomorrow, 10am", day(2, 10, 0)},
		{"Tuesday, 7am", day(3, 7, 0)},
	} {
		if a := h.scheduled(req{method: "POST", path: "/mytopic", body: "x", headers: []string{"At: " + f.value}}); a.Time != f.want {
			t.Errorf("At: %s → %s, want %s", f.value, time.Unix(a.Time, 0).UTC(), time.Unix(f.want, 0).UTC())
		}
	}
}

// TestScheduledRefusals: ntfy's errors for a delay it cannot read (40004),
// one too soon (40005: under ten seconds, or past) and one too far
// (40006: beyond schedule.max_delay, 3 days).
func TestScheduledRefusals(t *testing.T) {
	h, c := scheduledHarness(t)
	for _, r := range []struct {
		value string
		code  int
		says  string
	}{
		{"whenever", 40004, "unable to parse delay"},
		{"30 fortnights", 40004, "unable to parse delay"},
		{"-5m", 40004, "unable to parse delay"},
		{"5s", 40005, "too small"},
		{"0", 40005, "too small"},
		{fmt.Sprint(c.Now().Add(-time.Hour).Unix()), 40005, "too small"},
		{"4 days", 40006, "too large"},
		{fmt.Sprint(c.Now().Add(73 * time.Hour).Unix()), 40006, "too large"},
	} {
		e := h.refused(req{method: "POST", path: "/mytopic", body: "x", headers: []string{"X-Delay: " + r.value}},
			http.StatusBadRequest, r.code, r.says, `header "X-Delay"`)
		if !strings.Contains(e.Link, "#scheduled-delivery") {
			t.Errorf("%s: link %q", r.value, e.Link)
		}
	}
	// A bad message is refused at publish time, not when due.
	h.refused(req{method: "POST", path: "/mytopic", body: "x", headers: []string{"In: 30m", "X-Type: no_such_type"}}, 400, 40000, "no_such_type")
	h.refused(req{method: "POST", path: "/mytopic", body: "x", headers: []string{"In: 30m", "Priority: 9"}}, 400, 40007)
}

// TestScheduledDelivery: a scheduled message appears when due, once, as
// a notification of the topic; until then the topic's subscription
// shows nothing.
func TestScheduledDelivery(t *testing.T) {
	h, c := scheduledHarness(t)
	a := h.scheduled(req{method: "POST", path: "/backups", body: "Check the backup", headers: []string{"Title: Reminder", "In: 10m"}})
	client := []string{"Authorization: Bearer " + h.a.Token(h.alice, app.ScopeClient)}
	if rp := h.do(req{method: "GET", path: "/backups/json?poll=1", headers: client}); rp.status != 200 || strings.Contains(string(rp.body), "Check the backup") {
		t.Fatalf("poll before due: %d %s", rp.status, rp.body)
	}
	c.Advance(10 * time.Minute)
	apptest.WaitFor(t, "the delivery", func() bool { return h.count() == 1 })
	rp := h.do(req{method: "GET", path: "/backups/json?poll=1", headers: client})
	if !strings.Contains(string(rp.body), "Check the backup") || !strings.Contains(string(rp.body), `"Reminder"`) {
		t.Fatalf("poll after due: %d %s", rp.status, rp.body)
	}
	if got := time.Unix(a.Time, 0); !got.Equal(c.Now().Truncate(time.Second)) {
		t.Errorf("answered time %s, delivered at %s", got, c.Now())
	}
	c.Advance(time.Hour)
	time.Sleep(100 * time.Millisecond)
	if n := h.count(); n != 1 {
		t.Fatalf("%d notifications, want 1", n)
	}
}

// TestScheduledCancel: DELETE /<topic>/<sequence_id> cancels a scheduled
// message (ntfy 2.16) and answers a message_delete event; afterwards, on
// another topic, by another user, for a delivered or unknown id, it is
// ntfy's 404.
func TestScheduledCancel(t *testing.T) {
	h, c := scheduledHarness(t)
	a := h.scheduled(req{method: "POST", path: "/mytopic", body: "Never", headers: []string{"In: 10m"}})
	kept := h.scheduled(req{method: "POST", path: "/mytopic", body: "Kept", headers: []string{"In: 5m"}})
	h.refused(req{method: "DELETE", path: "/othertopic/" + a.ID}, 404, 40401, "no scheduled message")
	h.refused(req{method: "DELETE", path: "/mytopic/" + a.ID, noAuth: true}, 401, 40101)
	bob := h.a.User("bob", false)
	h.refused(req{method: "DELETE", path: "/mytopic/" + a.ID, headers: []string{"Authorization: Bearer " + h.a.Token(bob, app.ScopePublish)}}, 404, 40401)
	rp := h.do(req{method: "DELETE", path: "/mytopic/" + a.ID})
	var ev answer
	if rp.status != 200 || json.Unmarshal(rp.body, &ev) != nil || ev.Event != "message_delete" || ev.SequenceID != a.ID || ev.Topic != "mytopic" {
		t.Fatalf("cancel: %d %s", rp.status, rp.body)
	}
	h.refused(req{method: "DELETE", path: "/mytopic/" + a.ID}, 404, 40401, "delivered, cancelled or never scheduled")
	h.refused(req{method: "DELETE", path: "/mytopic/not-an-id"}, 404, 40401)
	c.Advance(10 * time.Minute)
	apptest.WaitFor(t, "the kept message", func() bool { return h.count() == 1 })
	h.refused(req{method: "DELETE", path: "/mytopic/" + kept.ID}, 404, 40401)
	time.Sleep(100 * time.Millisecond)
	if n := h.count(); n != 1 {
		t.Fatalf("%d notifications, want only the kept one", n)
	}
}
