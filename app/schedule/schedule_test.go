package schedule_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/server/servertest"
)

// pollCount is how many notifications the polling API shows alice.
func (f *fixture) pollCount(token string) int {
	f.t.Helper()
	w := f.app.Do("GET", "/api/v1/client/notifications", "", servertest.Bearer(token))
	if w.Code != http.StatusOK {
		f.t.Fatalf("poll: %d %s", w.Code, w.Body)
	}
	var page struct {
		Notifications []struct{ ID string } `json:"notifications"`
	}
	decode(f.t, w.Body.String(), &page)
	return len(page.Notifications)
}

// rows counts the rows of table in the database.
func (f *fixture) rows(table string) int {
	f.t.Helper()
	var n int
	if err := f.app.DB.Reader().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// TestScheduled_InvisibleUntilDue: a scheduled event creates nothing —
// no notification in the list or polling API, no badge, no socket frame,
// no webhook delivery, e-mail or push queued —
// until its time; then it is delivered once, created at its time, and
// leaves the scheduled list.
func TestScheduled_InvisibleUntilDue(t *testing.T) {
	smtp := apptest.NewSMTP(t)
	f := newFixtureWith(t, smtp)
	if w := f.app.Do("PUT", "/api/email/address", `{"email":"alice@example.org"}`, servertest.Cookie(f.cookie)); w.Code != http.StatusOK {
		t.Fatalf("e-mail address: %d %s", w.Code, w.Body)
	}
	client := f.app.Token(f.alice, app.ScopeClient)
	socket := apptest.Dial(t, f.app.URL+"/ws/notification/", http.Header{"Authorization": {"Bearer " + client}})
	apptest.WaitFor(t, "the socket indexed", func() bool { return f.app.Hub.Stats().Sockets == 1 })
	// A webhook of alice's: a delivery would be queued with the notification.
	if w := f.app.Do("POST", "/api/webhooks", `{"kind":"generic","url":"http://127.0.0.1:9/hook","events":["job.failed"]}`,
		servertest.Cookie(f.cookie)); w.Code != http.StatusCreated {
		t.Fatalf("webhook: %d %s", w.Code, w.Body)
	}
	start := f.clock.Now()
	a := f.schedule(`{"type":"job_failed","title":"Later","level":"error","delay":"30m"}`)
	if want := start.Add(30 * time.Minute); !a.Scheduled.DeliverAt.Equal(want) {
		t.Fatalf("deliver_at %s, want %s", a.Scheduled.DeliverAt, want)
	}
	if p := f.pending(); len(p) != 1 || p[0].ID != a.Scheduled.ID || p[0].Event.Title != "Later" || p[0].Event.Level != app.LevelError {
		t.Fatalf("scheduled list: %+v", p)
	}

	f.clock.Advance(29*time.Minute + 59*time.Second)
	settle()
	if in := f.inbox(); len(in.Notifications) != 0 || in.UnreadCount != 0 {
		t.Fatalf("before due: %d notifications, badge %d", len(in.Notifications), in.UnreadCount)
	}
	if n := f.pollCount(client); n != 0 {
		t.Fatalf("the polling API shows %d before due", n)
	}
	if frame, ok := socket.NextWithin(50 * time.Millisecond); ok {
		t.Fatalf("a socket frame before due: %s", frame)
	}
	if n := f.rows("webhook_deliveries") + f.rows("email_outbox") + f.rows("push_outbox"); n != 0 || len(smtp.Messages()) != 0 {
		t.Fatalf("%d webhook deliveries, e-mails or pushes queued, %d e-mails sent before due", n, len(smtp.Messages()))
	}

	f.clock.Advance(time.Second)
	ns := f.waitStored(1)
	if !ns[0].CreatedAt.Equal(start.Add(30*time.Minute)) || ns[0].Title != "Later" {
		t.Fatalf("delivered %+v, want created at %s", ns[0], start.Add(30*time.Minute))
	}
	if frame := socket.Next(); !strings.Contains(string(frame), "Later") {
		t.Fatalf("socket frame at due: %s", frame)
	}
	if in := f.inbox(); len(in.Notifications) != 1 || in.UnreadCount != 1 {
		t.Fatalf("after due: %d notifications, badge %d", len(in.Notifications), in.UnreadCount)
	}
	if n := f.pollCount(client); n != 1 {
		t.Fatalf("the polling API shows %d after due", n)
	}
	if n := f.rows("webhook_deliveries"); n != 1 {
		t.Fatalf("%d webhook deliveries after due, want 1", n)
	}
	if got := smtp.WaitMessages(t, 1); len(got) != 1 {
		t.Fatalf("%d e-mails after due, want 1", len(got))
	}
	apptest.WaitFor(t, "the scheduled row gone", func() bool { return len(f.pending()) == 0 })
	f.clock.Advance(time.Hour)
	settle()
	if n := len(f.stored()); n != 1 {
		t.Fatalf("%d notifications an hour later, want exactly 1", n)
	}
	apptest.WantSamples(t, f.app.Metrics.Handler(), map[string]float64{
		"belfry_scheduled_pending": 0, "belfry_scheduled_delivered_total": 1,
	})
}

// TestScheduled_DeliverAtAndOrder: deliver_at in RFC 3339 with an offset,
// delay in seconds; each is delivered at its own time, the earlier first,
// on one timer.
func TestScheduled_DeliverAtAndOrder(t *testing.T) {
	f := newFixture(t)
	start := f.clock.Now()
	at := start.Add(2 * time.Hour).In(time.FixedZone("CET", 3600)).Format(time.RFC3339)
	late := f.schedule(`{"type":"job_failed","title":"Second","deliver_at":"` + at + `"}`)
	early := f.schedule(`{"type":"job_failed","title":"First","delay":90}`)
	if !late.Scheduled.DeliverAt.Equal(start.Add(2*time.Hour)) || !early.Scheduled.DeliverAt.Equal(start.Add(90*time.Second)) {
		t.Fatalf("times: %s, %s", late.Scheduled.DeliverAt, early.Scheduled.DeliverAt)
	}
	if p := f.pending(); len(p) != 2 || p[0].Event.Title != "First" {
		t.Fatalf("scheduled list, earliest first: %+v", p)
	}
	apptest.WantSamples(t, f.app.Metrics.Handler(), map[string]float64{"belfry_scheduled_pending": 2})
	f.clock.Advance(90 * time.Second)
	if ns := f.waitStored(1); ns[0].Title != "First" {
		t.Fatalf("first delivered: %q", ns[0].Title)
	}
	f.waitArmed(start.Add(2 * time.Hour))
	f.clock.Set(start.Add(2 * time.Hour))
	if ns := f.waitStored(2); ns[0].Title != "Second" || !ns[0].CreatedAt.Equal(start.Add(2*time.Hour)) {
		t.Fatalf("second delivered: %+v", ns[0])
	}
}

// TestScheduled_RestartBeforeDue: a scheduled event survives a restart
// and is delivered on time, once.
func TestScheduled_RestartBeforeDue(t *testing.T) {
	f := newFixture(t)
	a := f.schedule(`{"type":"job_failed","title":"Survives","delay":"1h"}`)
	f.restart()
	f.waitArmed(a.Scheduled.DeliverAt)
	if p := f.pending(); len(p) != 1 || p[0].ID != a.Scheduled.ID {
		t.Fatalf("after a restart: %+v", p)
	}
	f.clock.Advance(59 * time.Minute)
	settle()
	if n := len(f.stored()); n != 0 {
		t.Fatalf("%d delivered before due", n)
	}
	f.clock.Advance(time.Minute)
	f.waitStored(1)
	apptest.WaitFor(t, "the scheduled row gone", func() bool { return len(f.pending()) == 0 })
	f.restart()
	settle()
	if n := len(f.stored()); n != 1 {
		t.Fatalf("%d notifications after a second restart, want 1", n)
	}
}

// TestScheduled_DueWhileOff: an event that fell due while Belfry was off
// is delivered at start without moving the clock, and not again at the
// next start.
func TestScheduled_DueWhileOff(t *testing.T) {
	f := newFixture(t)
	f.schedule(`{"type":"job_failed","title":"Missed","delay":"10m"}`)
	f.schedule(`{"type":"job_failed","title":"Missed too","delay":"20m"}`)
	f.stop()
	f.clock.Advance(3 * time.Hour) // unplugged
	f.start()
	f.cookie = f.app.Session(f.alice)
	apptest.WaitFor(t, "the missed events delivered", func() bool { return len(f.stored()) == 2 && len(f.pending()) == 0 })
	for _, n := range f.stored() {
		if !n.CreatedAt.Equal(f.clock.Now()) {
			t.Errorf("%q created at %s, want the start %s", n.Title, n.CreatedAt, f.clock.Now())
		}
	}
	f.restart()
	settle()
	if n := len(f.stored()); n != 2 {
		t.Fatalf("%d notifications after the next start, want 2", n)
	}
}

// TestScheduled_Cancel: a cancelled event is gone and never delivered; a
// second cancel, a cancel after delivery, another user's cancel and an
// unknown id are 404; a malformed id is 400.
func TestScheduled_Cancel(t *testing.T) {
	f := newFixture(t)
	a := f.schedule(`{"type":"job_failed","title":"Never","delay":"5m"}`)
	kept := f.schedule(`{"type":"job_failed","title":"Kept","delay":"10m"}`)
	bob := f.app.User("bob", false)
	bobToken := f.app.Token(bob, app.ScopePublish)
	path := "/api/v1/events/scheduled/" + a.Scheduled.ID
	if w := f.app.Do("DELETE", path, "", servertest.Bearer(bobToken)); w.Code != http.StatusNotFound || errorCode(t, w.Body.String()) != app.CodeScheduleMissing {
		t.Fatalf("bob cancels alice's: %d %s", w.Code, w.Body)
	}
	if w := f.app.Do("DELETE", path, "", servertest.Cookie(f.cookie)); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"Never"`) {
		t.Fatalf("cancel: %d %s", w.Code, w.Body)
	}
	if p := f.pending(); len(p) != 1 || p[0].ID != kept.Scheduled.ID {
		t.Fatalf("after cancel: %+v", p)
	}
	if w := f.app.Do("DELETE", path, "", servertest.Bearer(f.token)); w.Code != http.StatusNotFound {
		t.Fatalf("second cancel: %d %s", w.Code, w.Body)
	}
	if w := f.app.Do("DELETE", "/api/v1/events/scheduled/"+apptest.NewID(), "", servertest.Bearer(f.token)); w.Code != http.StatusNotFound {
		t.Fatalf("unknown id: %d %s", w.Code, w.Body)
	}
	if w := f.app.Do("DELETE", "/api/v1/events/scheduled/nope", "", servertest.Bearer(f.token)); w.Code != http.StatusBadRequest {
		t.Fatalf("malformed id: %d %s", w.Code, w.Body)
	}
	f.clock.Advance(10 * time.Minute)
	f.waitStored(1)
	settle()
	if ns := f.stored(); len(ns) != 1 || ns[0].Title != "Kept" {
		t.Fatalf("delivered: %+v", ns)
	}
	if w := f.app.Do("DELETE", "/api/v1/events/scheduled/"+kept.Scheduled.ID, "", servertest.Bearer(f.token)); w.Code != http.StatusNotFound {
		t.Fatalf("cancel after delivery: %d %s", w.Code, w.Body)
	}
}

// TestScheduled_BadInputs: every bad delivery time or event is a 4xx in
// the envelope at publish time, and nothing is scheduled.
func TestScheduled_BadInputs(t *testing.T) {
	f := newFixture(t)
	f.app.User("bob", false)
	past := f.clock.Now().Add(-time.Minute).Format(time.RFC3339)
	far := f.clock.Now().Add(73 * time.Hour).Format(time.RFC3339)
	for _, c := range []struct {
		body   string
		status int
		code   string
	}{
		{`{"type":"job_failed","title":"x","delay":"30m","deliver_at":"` + far + `"}`, 400, app.CodeScheduleInvalid},
		{`{"type":"job_failed","title":"x","deliver_at":"` + past + `"}`, 400, app.CodeScheduleInPast},
		{`{"type":"job_failed","title":"x","delay":0}`, 400, app.CodeScheduleInPast},
		{`{"type":"job_failed","title":"x","deliver_at":"` + far + `"}`, 400, app.CodeScheduleTooFar},
		{`{"type":"job_failed","title":"x","delay":"73h"}`, 400, app.CodeScheduleTooFar},
		{`{"type":"job_failed","title":"x","delay":"99999999999999999"}`, 400, app.CodeScheduleInvalid},
		{`{"type":"job_failed","title":"x","deliver_at":"tomorrow"}`, 400, app.CodeScheduleInvalid},
		{`{"type":"job_failed","title":"x","deliver_at":"2026-03-01 18:00"}`, 400, app.CodeScheduleInvalid},
		{`{"type":"job_failed","title":"x","delay":"soon"}`, 400, app.CodeScheduleInvalid},
		{`{"type":"job_failed","title":"x","delay":"-5m"}`, 400, app.CodeScheduleInvalid},
		{`{"type":"job_failed","title":"x","delay":-5}`, 400, app.CodeScheduleInvalid},
		{`{"type":"job_failed","title":"x","delay":1.5}`, 400, app.CodeScheduleInvalid},
		{`{"type":"job_failed","title":"x","delay":true}`, 400, app.CodeScheduleInvalid},
		{`{"type":"job_failed","title":"x","deliver_at":5}`, 400, app.CodeInvalidParameter},
		{`{"type":"no_such_type","title":"x","delay":"5m"}`, 400, app.CodeInvalidParameter},
		{`{"type":"job_failed","title":"","delay":"5m"}`, 400, app.CodeInvalidParameter},
		{`{"type":"job_failed","title":"x","data":[1],"delay":"5m"}`, 400, app.CodeInvalidParameter},
		{`{"type":"job_failed","title":"x","users":["bob"],"delay":"5m"}`, 403, app.CodeForbidden},
		{`{"type":"job_failed","title":"x","users":["alice","*"],"delay":"5m"}`, 400, app.CodeInvalidParameter},
		{`{"type":"job_failed","title":"x","users":["nobody"],"delay":"5m"}`, 404, app.CodeNotFound},
	} {
		// As an admin, so that naming a user is allowed and an unknown one is 404.
		if strings.Contains(c.body, "nobody") {
			f.token = f.app.Token(f.app.User("root", true), app.ScopePublish)
		}
		code, body := f.publish(c.body)
		if code != c.status || errorCode(t, body) != c.code {
			t.Errorf("%s: %d %s; want %d %s", c.body, code, body, c.status, c.code)
		}
	}
	if p := f.pending(); len(p) != 0 {
		t.Fatalf("scheduled after refusals: %+v", p)
	}
	// Listing and cancelling need a publish scope (or a session, or admin).
	client := f.app.Token(f.alice, app.ScopeClient)
	if w := f.app.Do("GET", "/api/v1/events/scheduled", "", servertest.Bearer(client)); w.Code != http.StatusForbidden {
		t.Fatalf("a client token lists: %d %s", w.Code, w.Body)
	}
}

// TestScheduled_MaxDelayConfigured: schedule.max_delay bounds how far
// ahead an event may be.
func TestScheduled_MaxDelayConfigured(t *testing.T) {
	a := servertest.New(t, servertest.WithConfig(func(c *app.Config) { c.Schedule.MaxDelay = app.Duration{Duration: time.Hour} }))
	token := a.Token(a.User("alice", false), app.ScopePublish)
	if w := a.Do("POST", "/api/v1/events", `{"type":"job_failed","title":"x","delay":"61m"}`, servertest.Bearer(token)); w.Code != 400 ||
		errorCode(t, w.Body.String()) != app.CodeScheduleTooFar {
		t.Fatalf("61m with max_delay 1h: %d %s", w.Code, w.Body)
	}
	if w := a.Do("POST", "/api/v1/events", `{"type":"job_failed","title":"x","delay":"59m"}`, servertest.Bearer(token)); w.Code != 202 {
		t.Fatalf("59m with max_delay 1h: %d %s", w.Code, w.Body)
	}
}

// TestScheduled_RefusedAtDelivery: an event whose publisher lost the
// admin rights it named another user with is dropped when due, counted,
// and never retried.
func TestScheduled_RefusedAtDelivery(t *testing.T) {
	f := newFixture(t)
	root := f.app.User("root", true)
	rootToken := f.app.Token(root, app.ScopePublish)
	w := f.app.Do("POST", "/api/v1/events", `{"type":"job_failed","title":"For alice","users":["alice"],"delay":"5m"}`, servertest.Bearer(rootToken))
	if w.Code != http.StatusAccepted {
		t.Fatalf("admin schedules for alice: %d %s", w.Code, w.Body)
	}
	f.waitArmed(f.clock.Now().Add(5 * time.Minute))
	if err := f.app.Users.SetAdmin(t.Context(), root.ID, false); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5 * time.Minute)
	apptest.WaitFor(t, "the refusal counted", func() bool {
		return apptest.Sample(apptest.Scrape(t, f.app.Metrics.Handler()), "belfry_scheduled_refused_total") == 1
	})
	if n := len(f.stored()); n != 0 {
		t.Fatalf("%d delivered for alice", n)
	}
	apptest.WantSamples(t, f.app.Metrics.Handler(), map[string]float64{"belfry_scheduled_pending": 0})
}
