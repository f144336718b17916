package escalation_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/server/servertest"
)

// fixture is the whole application on loopback with a fake clock, e-mail
// to the kit's SMTP server, Web Push to the kit's push service, and a
// webhook of alice's to a real local receiver that subscribes to nothing
// the tests publish. bob is an admin, the ladder's last step.
type fixture struct {
	t      *testing.T
	app    *servertest.App
	clock  *clocktest.Fake
	smtp   *apptest.SMTP
	push   *apptest.PushService
	dbPath string
	alice  *app.User
	bob    *app.User
	cookie string
	token  string
	pager  *receiver
	hookID string
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, clock: clocktest.New(), smtp: apptest.NewSMTP(t), push: apptest.NewPushService(t),
		dbPath: filepath.Join(t.TempDir(), "belfry.db"), pager: newReceiver(t)}
	f.start()
	f.alice, f.bob = f.app.User("alice", false), f.app.User("bob", true)
	f.cookie, f.token = f.app.Session(f.alice), f.app.Token(f.alice, app.ScopePublish)
	f.expect(f.do("PUT", "/api/email/address", `{"email":"alice@example.org"}`), http.StatusOK)
	f.expect(f.do("POST", "/api/push/subscriptions", f.push.Device("phone").JSON()), http.StatusCreated)
	var hook struct{ ID string }
	f.decode(f.expect(f.do("POST", "/api/webhooks", `{"kind":"generic","url":"`+f.pager.URL+`","events":["job.completed"]}`), http.StatusCreated), &hook)
	f.hookID = hook.ID
	return f
}

// ladder is the rule of most tests: errors of job_failed, repeated after
// 30 min, e-mailed 15 min later, sent to the pager webhook 15 min later,
// and bob 30 min after that.
func (f *fixture) ladder() string {
	return `{"type":"job_failed","min_level":"error","steps":[{"delay_minutes":30,"action":"repeat"},` +
		`{"delay_minutes":15,"action":"email"},{"delay_minutes":15,"action":"webhook","webhook_id":"` + f.hookID + `"},` +
		`{"delay_minutes":30,"action":"user","user":"bob"}]}`
}

func (f *fixture) start() {
	f.app = servertest.New(f.t, servertest.WithClock(f.clock), servertest.WithConfig(func(c *app.Config) {
		c.Database.Path = f.dbPath
		c.Storm.Enabled = false
		c.Webhooks.AllowPrivate = true
		f.smtp.Configure(&c.Email)
		f.push.Configure(&c.Push)
	}))
}

func (f *fixture) stop() { _ = f.app.Close(context.Background()) }

func (f *fixture) do(method, path, body string) *httptest.ResponseRecorder {
	return f.app.Do(method, path, body, servertest.Cookie(f.cookie))
}

func (f *fixture) expect(w *httptest.ResponseRecorder, status int) *httptest.ResponseRecorder {
	f.t.Helper()
	if w.Code != status {
		f.t.Fatalf("status %d, want %d: %s", w.Code, status, w.Body)
	}
	return w
}

func (f *fixture) decode(w *httptest.ResponseRecorder, v any) {
	f.t.Helper()
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		f.t.Fatalf("%v: %s", err, w.Body)
	}
}

// publish publishes a job_failed of level as alice and returns its id.
func (f *fixture) publish(level, title string) string {
	f.t.Helper()
	var res struct {
		Notifications []struct{ ID string } `json:"notifications"`
	}
	f.decode(f.expect(f.app.Do("POST", "/api/v1/events", `{"type":"job_failed","level":"`+level+`","title":"`+title+`"}`,
		servertest.Bearer(f.token)), http.StatusAccepted), &res)
	if len(res.Notifications) != 1 {
		f.t.Fatalf("published %+v", res)
	}
	return res.Notifications[0].ID
}

type ladder struct {
	State  string     `json:"state"`
	Reason string     `json:"reason"`
	NextAt *time.Time `json:"next_at"`
	Next   int        `json:"next_step"`
	Sent   []app.EscalationSent
}

func (f *fixture) ladderOf(id string) ladder {
	f.t.Helper()
	var l ladder
	f.decode(f.expect(f.do("GET", "/api/notifications/"+id+"/escalation", ""), http.StatusOK), &l)
	return l
}

// waitSent waits until n steps' records of id are there.
func (f *fixture) waitSent(id string, n int) ladder {
	f.t.Helper()
	var l ladder
	apptest.WaitFor(f.t, "the step's records", func() bool { l = f.ladderOf(id); return len(l.Sent) >= n })
	if len(l.Sent) != n {
		f.t.Fatalf("%d records, want %d: %+v", len(l.Sent), n, l.Sent)
	}
	return l
}

// settle gives the background workers time to send what they would send.
func settle() { time.Sleep(300 * time.Millisecond) }

type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, string(b))
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) received() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bodies...)
}

// pushes returns the pushes the device accepted.
func (f *fixture) pushes() []apptest.PushReceived {
	var out []apptest.PushReceived
	for _, r := range f.push.Received() {
		if r.Status < 300 {
			out = append(out, r)
		}
	}
	return out
}

func emailSubjects(s *apptest.SMTP) []string {
	var out []string
	for _, m := range s.Messages() {
		for _, line := range strings.Split(string(m.Data), "\r\n") {
			if subject, ok := strings.CutPrefix(line, "Subject: "); ok {
				out = append(out, subject)
			}
		}
	}
	return out
}

// TestLadder_StepsInOrder: each step fires at its time and not before —
// the repeat (push with urgency high, e-mail), the e-mail, the webhook,
// then bob's notification referencing the original — and every step is on
// the notification's escalation.
func TestLadder_StepsInOrder(t *testing.T) {
	f := newFixture(t)
	f.expect(f.do("POST", "/api/notifications/escalations", f.ladder()), http.StatusCreated)
	t0 := f.clock.Now()
	warn := f.publish("warning", "Disk 91% full") // below the rule's level
	id := f.publish("error", "Backup failed")
	apptest.WaitFor(t, "the first pushes", func() bool { return len(f.pushes()) >= 1 })
	f.smtp.WaitMessages(t, 2)
	if l := f.ladderOf(warn); l.State != "none" {
		t.Fatalf("the warning's ladder: %+v", l)
	}
	if l := f.ladderOf(id); l.State != app.EscalationActive || l.NextAt == nil || !l.NextAt.Equal(t0.Add(30*time.Minute)) {
		t.Fatalf("ladder at start: %+v", l)
	}

	f.clock.Set(t0.Add(29 * time.Minute))
	settle()
	if n := len(f.ladderOf(id).Sent); n != 0 {
		t.Fatalf("%d steps before 30 min", n)
	}
	f.clock.Set(t0.Add(30 * time.Minute))
	l := f.waitSent(id, 2)
	if l.Sent[0].Channel != "push" || l.Sent[1].Channel != "email" || l.Sent[0].Step != 1 || !l.Sent[0].At.Equal(t0.Add(30*time.Minute)) {
		t.Fatalf("the repeat's records: %+v", l.Sent)
	}
	p := f.push.WaitFor("the repeat push", func(rs []apptest.PushReceived) bool { return rs[len(rs)-1].Payload["renotify"] == true })
	if r := p[len(p)-1]; r.Header.Get("Urgency") != "high" || r.Payload["id"] != id ||
		r.Payload["title"] != "Reminder: Backup failed (not read for 30 min)" {
		t.Fatalf("repeat push: %v %v", r.Header, r.Payload)
	}
	f.smtp.WaitMessages(t, 3)
	if s := emailSubjects(f.smtp); s[2] != "Reminder: [Belfry] Backup failed" {
		t.Fatalf("subjects %q", s)
	}

	f.clock.Set(t0.Add(44 * time.Minute))
	settle()
	if n := len(f.ladderOf(id).Sent); n != 2 {
		t.Fatalf("%d records before the e-mail step", n)
	}
	f.clock.Set(t0.Add(45 * time.Minute))
	if l := f.waitSent(id, 3); l.Sent[2].Channel != "email" || l.Sent[2].Action != app.EscalateEmail {
		t.Fatalf("step 2: %+v", l.Sent[2])
	}
	f.smtp.WaitMessages(t, 4)

	f.clock.Set(t0.Add(60 * time.Minute))
	if l := f.waitSent(id, 4); l.Sent[3].Channel != "webhook" {
		t.Fatalf("step 3: %+v", l.Sent[3])
	}
	apptest.WaitFor(t, "the pager webhook", func() bool { return len(f.pager.received()) >= 1 })
	if b := f.pager.received()[0]; !strings.Contains(b, `"notification.escalated"`) || !strings.Contains(b, id) {
		t.Fatalf("webhook body %s", b)
	}

	f.clock.Set(t0.Add(90 * time.Minute))
	l = f.waitSent(id, 5)
	if l.State != app.EscalationDone || l.NextAt != nil || l.Sent[4].Channel != "user" || !strings.Contains(l.Sent[4].Detail, "bob") {
		t.Fatalf("after the last step: %+v", l)
	}
	apptest.WaitFor(t, "the user step's note", func() bool {
		return strings.Contains(f.ladderOf(id).Sent[4].Detail, "(notification ")
	})
	var bobs struct {
		Notifications []struct {
			Type, Title string
			Data        map[string]any
		}
	}
	f.decode(f.expect(f.app.Do("GET", "/api/notifications", "", servertest.Cookie(f.app.Session(f.bob))), http.StatusOK), &bobs)
	if len(bobs.Notifications) != 1 || bobs.Notifications[0].Type != app.EscalationType ||
		bobs.Notifications[0].Title != "Escalated from alice: Backup failed" || bobs.Notifications[0].Data["escalated_from"] != id {
		t.Fatalf("bob's inbox: %+v", bobs)
	}
	f.clock.Advance(24 * time.Hour)
	settle()
	if n := len(f.ladderOf(id).Sent); n != 5 {
		t.Fatalf("%d records after the ladder ended", n)
	}
}

// cancelled checks that id's ladder stopped for reason and that nothing
// more goes out, however long the clock runs.
func (f *fixture) cancelled(id, reason string) {
	f.t.Helper()
	settle() // the first push and e-mail, the clear push
	pushes, mails := len(f.pushes()), len(f.smtp.Messages())
	for range 4 {
		f.clock.Advance(30 * time.Minute)
		settle()
	}
	var l ladder
	apptest.WaitFor(f.t, "the ladder cancelled", func() bool { l = f.ladderOf(id); return l.State == app.EscalationCancelled })
	if l.Reason != reason || len(l.Sent) != 0 || l.NextAt != nil {
		f.t.Fatalf("cancelled ladder: %+v, want reason %q and nothing sent", l, reason)
	}
	if len(f.pushes()) != pushes || len(f.smtp.Messages()) != mails || len(f.pager.received()) != 0 {
		f.t.Fatal("a step went out after the ladder was cancelled")
	}
}

// TestLadder_AcknowledgedByPolling: the polling API's acknowledge stops
// the ladder.
func TestLadder_AcknowledgedByPolling(t *testing.T) {
	f := newFixture(t)
	f.expect(f.do("POST", "/api/notifications/escalations", f.ladder()), http.StatusCreated)
	id := f.publish("error", "Backup failed")
	f.expect(f.app.Do("POST", "/api/v1/client/notifications/"+id+"/acknowledge", "",
		servertest.Bearer(f.app.Token(f.alice, app.ScopeClient))), http.StatusOK)
	f.cancelled(id, "acknowledged")
}

// TestLadder_ReadOnSocket: the /ws/notification/ frame that marks a
// notification read stops its ladder after its first step.
func TestLadder_ReadOnSocket(t *testing.T) {
	f := newFixture(t)
	f.expect(f.do("POST", "/api/notifications/escalations", f.ladder()), http.StatusCreated)
	socket := apptest.Dial(t, strings.Replace(f.app.URL, "http", "ws", 1)+"/ws/notification/",
		http.Header{"Authorization": {"Bearer " + f.app.Token(f.alice, app.ScopeClient)}})
	apptest.WaitFor(t, "the socket indexed", func() bool { return f.app.Hub.Stats().Sockets == 1 })
	id := f.publish("error", "Backup failed")
	socket.Next()
	f.clock.Advance(30 * time.Minute)
	f.waitSent(id, 2)
	socket.Send(`{"type":"notification","notification_id":"` + id + `"}`)
	var l ladder
	apptest.WaitFor(t, "the ladder cancelled", func() bool { l = f.ladderOf(id); return l.State == app.EscalationCancelled })
	settle()
	mails := len(f.smtp.Messages())
	f.clock.Advance(3 * time.Hour)
	settle()
	if l = f.ladderOf(id); l.Reason != "read" || len(l.Sent) != 2 || len(f.smtp.Messages()) != mails || len(f.pager.received()) != 0 {
		t.Fatalf("after the read: %+v", l)
	}
}

// TestLadder_ReadByAPI: PATCH /api/notifications/:id/read stops it, and
// so does read-all for another notification.
func TestLadder_ReadByAPI(t *testing.T) {
	f := newFixture(t)
	f.expect(f.do("POST", "/api/notifications/escalations", f.ladder()), http.StatusCreated)
	id := f.publish("error", "Backup failed")
	f.expect(f.do("PATCH", "/api/notifications/"+id+"/read", ""), http.StatusOK)
	f.cancelled(id, "read")
}

// TestLadder_MissedBusEvent: a notification read while the service did not
// hear of it (written behind the bus's back) is still not escalated: the
// step re-checks in its write.
func TestLadder_MissedBusEvent(t *testing.T) {
	f := newFixture(t)
	f.expect(f.do("POST", "/api/notifications/escalations", f.ladder()), http.StatusCreated)
	id := f.publish("error", "Backup failed")
	if _, err := f.app.Notifications.MarkRead(context.Background(), f.alice.ID, id); err != nil { // the store, not the Inbox: no bus event
		t.Fatal(err)
	}
	f.cancelled(id, "read")
}

// TestLadder_Restart: Belfry stops after the first step and is off when
// the second is due; at start the second is taken once, the third waits
// its delay from then, and a further restart repeats nothing.
func TestLadder_Restart(t *testing.T) {
	f := newFixture(t)
	f.expect(f.do("POST", "/api/notifications/escalations", f.ladder()), http.StatusCreated)
	t0 := f.clock.Now()
	id := f.publish("error", "Backup failed")
	f.clock.Set(t0.Add(30 * time.Minute))
	f.waitSent(id, 2)
	f.stop()
	f.clock.Set(t0.Add(3 * time.Hour))
	f.start()
	l := f.waitSent(id, 3)
	if l.Sent[2].Action != app.EscalateEmail || !l.Sent[2].At.Equal(t0.Add(3*time.Hour)) || l.State != app.EscalationActive ||
		!l.NextAt.Equal(t0.Add(3*time.Hour+15*time.Minute)) {
		t.Fatalf("after the restart: %+v", l)
	}
	f.stop()
	f.start()
	settle()
	if l := f.ladderOf(id); len(l.Sent) != 3 || len(f.pager.received()) != 0 {
		t.Fatalf("a second restart took a step: %+v", l)
	}
	f.clock.Set(t0.Add(3*time.Hour + 15*time.Minute))
	if l := f.waitSent(id, 4); l.Sent[3].Channel != "webhook" {
		t.Fatalf("step 3 after the restarts: %+v", l.Sent[3])
	}
}

// TestRules_API: the caller's rules round-trip, another user's are
// invisible, and every bad input is a 4xx in the error envelope.
func TestRules_API(t *testing.T) {
	f := newFixture(t)
	var r app.EscalationRule
	f.decode(f.expect(f.do("POST", "/api/notifications/escalations", `{"min_level":"warning","steps":[{"delay_minutes":10,"action":"user","user":"bob"}]}`),
		http.StatusCreated), &r)
	if r.ID == "" || r.MinLevel != app.LevelWarning || len(r.Steps) != 1 || r.Steps[0].User != "bob" {
		t.Fatalf("created %+v", r)
	}
	f.expect(f.do("PUT", "/api/notifications/escalations/"+r.ID, `{"type":"job_failed","steps":[{"delay_minutes":5,"action":"repeat"}]}`), http.StatusOK)
	var list struct{ Rules []app.EscalationRule }
	f.decode(f.expect(f.do("GET", "/api/notifications/escalations", ""), http.StatusOK), &list)
	if len(list.Rules) != 1 || list.Rules[0].Type != "job_failed" || list.Rules[0].MinLevel != "" || list.Rules[0].Steps[0].DelayMinutes != 5 {
		t.Fatalf("listed %+v", list)
	}
	carol := f.app.Session(f.app.User("carol", false))
	f.expect(f.app.Do("GET", "/api/notifications/escalations/"+r.ID, "", servertest.Cookie(carol)), http.StatusNotFound)
	f.expect(f.app.Do("DELETE", "/api/notifications/escalations/"+r.ID, "", servertest.Cookie(carol)), http.StatusNotFound)
	id := f.publish("error", "Backup failed")
	f.expect(f.app.Do("GET", "/api/notifications/"+id+"/escalation", "", servertest.Cookie(carol)), http.StatusNotFound)

	step := func(s string) string { return `{"min_level":"error","steps":[` + s + `]}` }
	for name, c := range map[string]struct {
		method, path, body string
		status             int
	}{
		"NoMatch":        {"POST", "", `{"steps":[{"delay_minutes":5,"action":"repeat"}]}`, 400},
		"UnknownType":    {"POST", "", `{"type":"nope","steps":[{"delay_minutes":5,"action":"repeat"}]}`, 400},
		"EscalationType": {"POST", "", `{"type":"escalation","steps":[{"delay_minutes":5,"action":"repeat"}]}`, 400},
		"BadLevel":       {"POST", "", `{"min_level":"critical","steps":[{"delay_minutes":5,"action":"repeat"}]}`, 400},
		"NoSteps":        {"POST", "", `{"min_level":"error","steps":[]}`, 400},
		"TooManySteps":   {"POST", "", step(strings.Repeat(`{"delay_minutes":5,"action":"repeat"},`, 5) + `{"delay_minutes":5,"action":"repeat"}`), 400},
		"ZeroDelay":      {"POST", "", step(`{"delay_minutes":0,"action":"repeat"}`), 400},
		"LongDelay":      {"POST", "", step(`{"delay_minutes":10081,"action":"repeat"}`), 400},
		"BadAction":      {"POST", "", step(`{"delay_minutes":5,"action":"sms"}`), 400},
		"WebhookMissing": {"POST", "", step(`{"delay_minutes":5,"action":"webhook"}`), 400},
		"WebhookNotUUID": {"POST", "", step(`{"delay_minutes":5,"action":"webhook","webhook_id":"x"}`), 400},
		"WebhookOthers":  {"POST", "", step(`{"delay_minutes":5,"action":"webhook","webhook_id":"0190a0a0-0000-7000-8000-000000000000"}`), 400},
		"UserUnknown":    {"POST", "", step(`{"delay_minutes":5,"action":"user","user":"nobody"}`), 400},
		"UserSelf":       {"POST", "", step(`{"delay_minutes":5,"action":"user","user":"alice"}`), 400},
		"UserNotAdmin":   {"POST", "", step(`{"delay_minutes":5,"action":"user","user":"carol"}`), 403},
		"RepeatWithUser": {"POST", "", step(`{"delay_minutes":5,"action":"repeat","user":"bob"}`), 400},
		"UnknownField":   {"POST", "", `{"level":"error"}`, 400},
		"NotJSON":        {"POST", "", `{"steps":`, 400},
		"WrongType":      {"POST", "", `{"steps":"soon"}`, 400},
		"PutNotUUID":     {"PUT", "/nope", step(`{"delay_minutes":5,"action":"repeat"}`), 400},
		"PutMissing":     {"PUT", "/0190a0a0-0000-7000-8000-000000000000", step(`{"delay_minutes":5,"action":"repeat"}`), 404},
		"PutInvalid":     {"PUT", "/" + r.ID, step(`{"delay_minutes":-1,"action":"repeat"}`), 400},
		"DeleteMissing":  {"DELETE", "/0190a0a0-0000-7000-8000-000000000000", "", 404},
		"LadderNotUUID":  {"GET", "/../nope/escalation", "", 400},
	} {
		t.Run(name, func(t *testing.T) {
			path := "/api/notifications/escalations" + c.path
			if name == "LadderNotUUID" {
				path = "/api/notifications/nope/escalation"
			}
			w := f.do(c.method, path, c.body)
			var env struct {
				Error struct{ Code, Message string }
			}
			if w.Code != c.status || json.Unmarshal(w.Body.Bytes(), &env) != nil || env.Error.Message == "" {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, c.status)
			}
		})
	}
	f.decode(f.expect(f.do("GET", "/api/notifications/escalations/"+r.ID, ""), http.StatusOK), &r)
	if r.Steps[0].DelayMinutes != 5 {
		t.Fatalf("a refused PUT changed the rule: %+v", r)
	}
	for range app.MaxEscalationRules - 1 {
		f.expect(f.do("POST", "/api/notifications/escalations", step(`{"delay_minutes":5,"action":"repeat"}`)), http.StatusCreated)
	}
	f.expect(f.do("POST", "/api/notifications/escalations", step(`{"delay_minutes":5,"action":"repeat"}`)), http.StatusBadRequest)
	f.expect(f.do("DELETE", "/api/notifications/escalations/"+r.ID, ""), http.StatusNoContent)
	f.expect(f.do("GET", "/api/notifications/escalations/"+r.ID, ""), http.StatusNotFound)
}

// TestLadder_RuleDeleted: deleting the rule stops its ladders in flight.
func TestLadder_RuleDeleted(t *testing.T) {
	f := newFixture(t)
	var r app.EscalationRule
	f.decode(f.expect(f.do("POST", "/api/notifications/escalations", f.ladder()), http.StatusCreated), &r)
	id := f.publish("error", "Backup failed")
	f.expect(f.do("DELETE", "/api/notifications/escalations/"+r.ID, ""), http.StatusNoContent)
	f.cancelled(id, "rule deleted")
}

// TestLadder_QuietHoursHold: a warning quiet hours hold does not escalate
// (its toast, push and e-mail wait for the digest); an error breaks
// through and escalates.
func TestLadder_QuietHoursHold(t *testing.T) {
	f := newFixture(t)
	f.expect(f.do("POST", "/api/notifications/escalations",
		`{"min_level":"warning","steps":[{"delay_minutes":30,"action":"repeat"}]}`), http.StatusCreated)
	f.expect(f.do("PUT", "/api/notifications/quiet-hours",
		`{"timezone":"UTC","windows":[{"days":["sun"],"start":"00:00","end":"23:59"}]}`), http.StatusOK) // 1 March 2026 is a Sunday
	held := f.publish("warning", "Disk 91% full")
	through := f.publish("error", "Backup failed")
	if l := f.ladderOf(held); l.State != "none" {
		t.Fatalf("the held warning escalates: %+v", l)
	}
	if l := f.ladderOf(through); l.State != app.EscalationActive {
		t.Fatalf("the error does not: %+v", l)
	}
	f.clock.Advance(30 * time.Minute)
	f.waitSent(through, 2)
}

// TestRules_EmailOff: without e-mail an e-mail step is refused, and a
// repeat of a notification that went out on no other channel is recorded
// as such, on channel none.
func TestRules_EmailOff(t *testing.T) {
	clock := clocktest.New()
	a := servertest.New(t, servertest.WithClock(clock))
	alice := a.User("alice", false)
	cookie := servertest.Cookie(a.Session(alice))
	if w := a.Do("POST", "/api/notifications/escalations", `{"min_level":"error","steps":[{"delay_minutes":5,"action":"email"}]}`, cookie); w.Code != http.StatusBadRequest ||
		!strings.Contains(w.Body.String(), "e-mail is off") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if w := a.Do("POST", "/api/notifications/escalations", `{"min_level":"error","steps":[{"delay_minutes":5,"action":"repeat"}]}`, cookie); w.Code != http.StatusCreated {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	res, err := a.Dispatcher.Notify(context.Background(), alice, &app.Event{Type: "job_failed", Level: app.LevelError, Title: "Backup failed"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(5 * time.Minute)
	var l ladder
	apptest.WaitFor(t, "the step", func() bool {
		_ = json.Unmarshal(a.Do("GET", "/api/notifications/"+res.Notifications[0].ID+"/escalation", "", cookie).Body.Bytes(), &l)
		return l.State == app.EscalationDone
	})
	if len(l.Sent) != 1 || l.Sent[0].Channel != "none" || !strings.Contains(l.Sent[0].Detail, "nothing to repeat") {
		t.Fatalf("ladder %+v", l)
	}
}

// TestLadder_Deleted: deleting the notification deletes its ladder; no
// step goes out.
func TestLadder_Deleted(t *testing.T) {
	f := newFixture(t)
	f.expect(f.do("POST", "/api/notifications/escalations", f.ladder()), http.StatusCreated)
	id := f.publish("error", "Backup failed")
	settle()
	mails := len(f.smtp.Messages())
	f.expect(f.do("DELETE", "/api/notifications/"+id, ""), http.StatusOK)
	f.expect(f.do("GET", "/api/notifications/"+id+"/escalation", ""), http.StatusNotFound)
	for range 4 {
		f.clock.Advance(30 * time.Minute)
		settle()
	}
	var n int
	if err := f.app.DB.Reader().QueryRow(`SELECT COUNT(*) FROM escalations`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d ladders left, %v", n, err)
	}
	settle()
	for _, p := range f.pushes() {
		if p.Payload["renotify"] == true {
			t.Fatalf("a reminder was pushed for a deleted notification: %v", p.Payload)
		}
	}
	if len(f.smtp.Messages()) != mails || len(f.pager.received()) != 0 {
		t.Fatal("a step went out for a deleted notification")
	}
}
