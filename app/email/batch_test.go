package email_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/report"
	"github.com/belfry/belfry/app/retention"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/belfry/belfry/db"
)

// batchInterval is the interval of the batching tests.
const batchInterval = 30 * time.Minute

// newBatchFixture is a fixture whose users get threshold e-mails on their
// own within batchInterval.
func newBatchFixture(t *testing.T, threshold int) *fixture {
	return newFixtureWith(t, func(c *app.Config) {
		c.Email.BatchThreshold, c.Email.BatchInterval = threshold, app.Duration{Duration: batchInterval}
	})
}

// publishAs publishes an event of typ titled title with token and returns
// the notification's id.
func (f *fixture) publishAs(token, typ, title string) string {
	f.t.Helper()
	w := f.expect(f.app.Do("POST", "/api/v1/events", fmt.Sprintf(`{"type":%q,"title":%q,"level":"error"}`, typ, title),
		servertest.Bearer(token)), http.StatusAccepted)
	return notificationID(f.t, w.Body.Bytes())
}

// outbox returns every outbox row, oldest first.
func (f *fixture) outbox() []*app.Email {
	f.t.Helper()
	es, err := db.NewEmailStore(f.app.DB).ListEmails(context.Background(), "", 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	return es
}

// settle sends what is due until nothing is due or being sent (leased by
// the background worker) any more, so that the SMTP server's messages are
// final for the clock's time: what stays pending is a summary waiting for
// its interval's end. (Moving the fake clock past a lease while the
// background worker still sends would send twice, so tests settle before
// they move it.)
func (f *fixture) settle() {
	f.t.Helper()
	apptest.WaitFor(f.t, "due e-mails settled", func() bool {
		f.app.Email.SendDue(context.Background())
		for _, e := range f.outbox() {
			waiting := e.Kind == app.EmailSummary && e.NextAttemptAt.After(f.clock.Now()) &&
				!e.NextAttemptAt.After(e.CreatedAt.Add(batchInterval))
			if e.Status == app.EmailPending && !waiting {
				return false
			}
		}
		return true
	})
}

// to returns the messages received for addr.
func (f *fixture) to(addr string) []apptest.Received {
	var out []apptest.Received
	for _, m := range f.smtp.Messages() {
		if len(m.To) == 1 && m.To[0] == addr {
			out = append(out, m)
		}
	}
	return out
}

// statuses counts the rows of userID (every user's for "") by kind and
// status, as "single/sent".
func (f *fixture) statuses(userID string) map[string]int {
	out := map[string]int{}
	for _, e := range f.outbox() {
		if userID == "" || e.UserID == userID {
			out[e.Kind+"/"+e.Status]++
		}
	}
	return out
}

func wantCounts(t *testing.T, got, want map[string]int) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("outbox %v, want %v", got, want)
	}
}

// summaryOf parses a summary message: it has both parts, and a
// List-Unsubscribe only when all its notifications are of one type.
func summaryOf(t *testing.T, r apptest.Received) parsed {
	t.Helper()
	return parseParts(t, r)
}

// TestBatchUnderThreshold: up to the threshold within the interval, every
// notification is its own e-mail and nothing waits for a summary.
func TestBatchUnderThreshold(t *testing.T) {
	f := newBatchFixture(t, 3)
	for i := range 3 {
		f.publishAs(f.token, "job_failed", fmt.Sprint("failure ", i))
		f.settle()
		f.clock.Advance(time.Minute)
	}
	f.settle()
	f.clock.Advance(batchInterval)
	f.settle()
	if n := len(f.to("alice@example.org")); n != 3 {
		t.Fatalf("%d messages, want 3 on their own", n)
	}
	wantCounts(t, f.statuses(""), map[string]int{"single/sent": 3})
}

// TestBatchSummary: beyond the threshold the rest are held and go as one
// summary at the interval's end, with a line, level and link per
// notification; the next interval starts afresh.
func TestBatchSummary(t *testing.T) {
	f := newBatchFixture(t, 2)
	start := f.clock.Now()
	var ids []string
	for i := range 5 {
		ids = append(ids, f.publishAs(f.token, "job_failed", fmt.Sprint("failure ", i)))
		f.settle()
		f.clock.Advance(time.Minute)
	}
	f.settle()
	if n := len(f.to("alice@example.org")); n != 2 {
		t.Fatalf("%d messages before the interval's end, want 2 (the threshold)", n)
	}
	wantCounts(t, f.statuses(""), map[string]int{"single/sent": 2, "single/held": 3, "summary/pending": 1})
	for _, e := range f.emails() {
		if e.Status == app.EmailHeld && e.BatchID == "" {
			t.Fatalf("a held e-mail without its summary in the user's log: %+v", e)
		}
	}
	apptest.WantSamples(t, f.app.Metrics.Handler(), map[string]float64{"belfry_email_held": 3, "belfry_email_queue_depth": 1})

	f.clock.Set(start.Add(batchInterval - time.Second))
	f.settle()
	if n := len(f.to("alice@example.org")); n != 2 {
		t.Fatalf("%d messages a second before the interval's end, want 2", n)
	}
	f.clock.Set(start.Add(batchInterval))
	f.settle()
	msgs := f.to("alice@example.org")
	if len(msgs) != 3 {
		t.Fatalf("%d messages after the interval, want 2 and one summary", len(msgs))
	}
	p := summaryOf(t, msgs[2])
	if got := p.header.Get("Subject"); got != "[Belfry] 3 new notifications" {
		t.Errorf("Subject %q", got)
	}
	for name, want := range map[string]string{"Auto-Submitted": "auto-generated", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"} {
		if got := p.header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if !strings.HasPrefix(p.header.Get("List-Unsubscribe"), "<"+f.app.URL+"/email/unsubscribe?token=") {
		t.Errorf("List-Unsubscribe %q: one type, so its one-click link", p.header.Get("List-Unsubscribe"))
	}
	for i, id := range ids {
		link := f.app.URL + "/n/" + id
		title := fmt.Sprint("failure ", i)
		inText, inHTML := strings.Contains(p.text, link), strings.Contains(p.html, `href="`+link+`"`)
		if i < 2 && (inText || inHTML) {
			t.Errorf("%s was sent on its own but is in the summary", title)
		}
		if i >= 2 && (!inText || !inHTML || !strings.Contains(p.text, "[ERROR] "+title) || !strings.Contains(p.html, title)) {
			t.Errorf("summary lacks %s (%s):\ntext:\n%s\nhtml:\n%s", title, link, p.text, p.html)
		}
	}
	if !strings.Contains(p.text, "You got 2 e-mails on their own within 30 minutes") {
		t.Errorf("summary does not say why:\n%s", p.text)
	}
	if !strings.Contains(p.html, "style=\"") || strings.Contains(p.html, "<style") {
		t.Error("the summary's HTML must have inline styles only")
	}
	wantCounts(t, f.statuses(""), map[string]int{"single/sent": 5, "summary/sent": 1})
	apptest.WantSamples(t, f.app.Metrics.Handler(), map[string]float64{
		`belfry_email_messages_total{outcome="sent"}`: 3, "belfry_email_summaries_total": 1,
		"belfry_email_held": 0, "belfry_email_queue_depth": 0,
	})

	// The one-click link of the summary turns off job_failed e-mail.
	if w := unsubscribe(f, strings.Trim(p.header.Get("List-Unsubscribe"), "<>")); w.Code != http.StatusOK {
		t.Fatalf("unsubscribe from the summary: %d %s", w.Code, w.Body)
	}
	if f.emailPref("job_failed") {
		t.Fatal("job_failed e-mail still on after the summary's one-click unsubscribe")
	}
	// A new interval starts with the next e-mail: on its own again.
	f.publishAs(f.token, "integrity_alert", "after the interval")
	f.settle()
	if n := len(f.to("alice@example.org")); n != 4 {
		t.Fatalf("%d messages, want the next interval's first e-mail on its own", n)
	}
}

// TestBatchDeletedNotification: a notification deleted before its summary
// goes is left out of it and its e-mail is marked skipped; when all are
// deleted no summary goes at all.
func TestBatchDeletedNotification(t *testing.T) {
	f := newBatchFixture(t, 1)
	start := f.clock.Now()
	f.publishAs(f.token, "job_failed", "sent on its own")
	kept := f.publishAs(f.token, "job_failed", "kept")
	gone := f.publishAs(f.token, "job_failed", "deleted")
	f.expect(f.do("DELETE", "/api/notifications/"+gone, ""), http.StatusOK)
	f.settle()
	f.clock.Set(start.Add(batchInterval))
	f.settle()
	msgs := f.to("alice@example.org")
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want one on its own and a summary", len(msgs))
	}
	p := summaryOf(t, msgs[1])
	if p.header.Get("Subject") != "[Belfry] 1 new notification" || !strings.Contains(p.text, f.app.URL+"/n/"+kept) ||
		strings.Contains(p.text, "deleted") || strings.Contains(p.text, gone) {
		t.Fatalf("summary %q:\n%s", p.header.Get("Subject"), p.text)
	}
	wantCounts(t, f.statuses(""), map[string]int{"single/sent": 2, "single/skipped": 1, "summary/sent": 1})
	for _, e := range f.outbox() {
		if e.Status == app.EmailSkipped && (e.NotificationID != gone || !strings.Contains(e.LastError, "deleted")) {
			t.Fatalf("skipped row %+v", e)
		}
	}

	// The next interval: every held notification deleted, no summary.
	f.settle()
	f.clock.Advance(time.Hour)
	start = f.clock.Now()
	f.publishAs(f.token, "job_failed", "first of the next interval")
	for _, id := range []string{f.publishAs(f.token, "job_failed", "a"), f.publishAs(f.token, "job_failed", "b")} {
		f.expect(f.do("DELETE", "/api/notifications/"+id, ""), http.StatusOK)
	}
	f.settle()
	f.clock.Set(start.Add(batchInterval))
	f.settle()
	if n := len(f.to("alice@example.org")); n != 3 {
		t.Fatalf("%d messages, want no summary of deleted notifications", n)
	}
	wantCounts(t, f.statuses(""), map[string]int{"single/sent": 3, "single/skipped": 3, "summary/sent": 1, "summary/skipped": 1})
}

// TestBatchRestart: the held e-mails and their summary survive restarts:
// one mid-interval, and one over the interval's end while Belfry is off;
// the summary goes exactly once, as soon as Belfry runs again.
func TestBatchRestart(t *testing.T) {
	f := newBatchFixture(t, 1)
	start := f.clock.Now()
	for i := range 4 {
		f.publishAs(f.token, "job_failed", fmt.Sprint("failure ", i))
	}
	f.settle()
	restart := func() {
		t.Helper()
		if err := f.app.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.start()
		f.cookie = f.app.Session(f.alice)
	}
	f.clock.Advance(10 * time.Minute)
	restart()
	f.settle()
	f.clock.Advance(time.Minute)
	f.settle()
	if n := len(f.to("alice@example.org")); n != 1 {
		for _, e := range f.outbox() {
			t.Logf("%s %s %s %d %q %v", e.Kind, e.Type, e.Status, e.Attempts, e.LastError, e.NextAttemptAt)
		}
		t.Fatalf("%d messages after a restart mid-interval, want 1", n)
	}
	if err := f.app.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(start.Add(batchInterval + time.Hour)) // Belfry was off at the interval's end
	f.start()
	f.cookie = f.app.Session(f.alice)
	f.smtp.WaitMessages(t, 2) // the worker sends it on start, without a kick
	f.settle()
	restart()
	f.settle()
	msgs := f.to("alice@example.org")
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 1 on its own and exactly one summary", len(msgs))
	}
	if got := summaryOf(t, msgs[1]).header.Get("Subject"); got != "[Belfry] 3 new notifications" {
		t.Fatalf("summary subject %q", got)
	}
	wantCounts(t, f.statuses(""), map[string]int{"single/sent": 4, "summary/sent": 1})
}

// TestBatchPerUser: one user's batch never holds another's e-mail.
func TestBatchPerUser(t *testing.T) {
	f := newBatchFixture(t, 2)
	start := f.clock.Now()
	bob := f.app.User("bob", false)
	if err := f.app.Email.SetAddress(context.Background(), bob.ID, "bob@example.org"); err != nil {
		t.Fatal(err)
	}
	bobToken := f.app.Token(bob, app.ScopePublish)
	for i := range 4 {
		f.publishAs(f.token, "job_failed", fmt.Sprint("alice ", i))
	}
	for i := range 2 {
		f.publishAs(bobToken, "job_failed", fmt.Sprint("bob ", i))
	}
	f.settle()
	if a, b := len(f.to("alice@example.org")), len(f.to("bob@example.org")); a != 2 || b != 2 {
		t.Fatalf("alice %d, bob %d messages; want 2 each (alice's threshold must not hold bob's)", a, b)
	}
	wantCounts(t, f.statuses(bob.ID), map[string]int{"single/sent": 2})
	f.clock.Set(start.Add(batchInterval))
	f.settle()
	alice := f.to("alice@example.org")
	if len(alice) != 3 || len(f.to("bob@example.org")) != 2 {
		t.Fatalf("alice %d, bob %d messages after the interval; want a summary for alice only", len(alice), len(f.to("bob@example.org")))
	}
	if p := summaryOf(t, alice[2]); strings.Contains(p.text, "bob") || !strings.Contains(p.text, "alice 3") {
		t.Fatalf("alice's summary:\n%s", p.text)
	}
}

// TestBatchTwoTypes: e-mails of two types are held in one summary, which
// then has an unsubscribe link per type in its footer and no one-click
// header (a one-click link does one thing).
func TestBatchTwoTypes(t *testing.T) {
	f := newBatchFixture(t, 1)
	start := f.clock.Now()
	f.publishAs(f.token, "job_failed", "sent on its own")
	f.publishAs(f.token, "job_failed", "job line")
	f.publishAs(f.token, "integrity_alert", "integrity line")
	f.settle()
	f.clock.Set(start.Add(batchInterval))
	f.settle()
	msgs := f.to("alice@example.org")
	if len(msgs) != 2 {
		for _, e := range f.outbox() {
			t.Logf("%s %s %s %d %q %v", e.Kind, e.Type, e.Status, e.Attempts, e.LastError, e.NextAttemptAt)
		}
		t.Fatalf("%d messages, want one on its own and one summary", len(msgs))
	}
	p := summaryOf(t, msgs[1])
	for _, want := range []string{"job line", "integrity line", "job_failed", "integrity_alert",
		"Unsubscribe from job_failed e-mails: " + f.app.URL + "/email/unsubscribe?token=",
		"Unsubscribe from integrity_alert e-mails: " + f.app.URL + "/email/unsubscribe?token="} {
		if !strings.Contains(p.text, want) {
			t.Errorf("summary lacks %q:\n%s", want, p.text)
		}
	}
	if lu := p.header.Get("List-Unsubscribe"); lu != "" || p.header.Get("List-Unsubscribe-Post") != "" {
		t.Errorf("a summary of two types has List-Unsubscribe %q", lu)
	}
}

// TestBatchNeverHoldsWeeklyReport: with the threshold reached, the weekly
// report e-mail still goes at once, on its own.
func TestBatchNeverHoldsWeeklyReport(t *testing.T) {
	f := newBatchFixture(t, 1)
	f.clock.Set(time.Now().Add(8 * 24 * time.Hour)) // alice existed during the previous week
	f.publishAs(f.token, "job_failed", "sent on its own")
	f.publishAs(f.token, "job_failed", "held")
	r, err := report.New(report.Deps{Config: app.ReportConfig{Enabled: true, Schedule: "0 8 * * 1", Timezone: "UTC"},
		Dispatcher: f.app.Dispatcher, Users: f.app.Users, Store: db.NewReportStore(f.app.DB), Clock: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := r.RunWeek(context.Background(), r.PreviousWeek(), "alice", false); err != nil || len(res) != 1 {
		t.Fatal(res, err)
	}
	f.settle()
	msgs := f.to("alice@example.org")
	if len(msgs) != 2 || !strings.Contains(parse(t, msgs[1]).header.Get("Subject"), "eekly") {
		t.Fatalf("%d messages; want the first job_failed and the weekly report, not held", len(msgs))
	}
	wantCounts(t, f.statuses(""), map[string]int{"single/sent": 2, "single/held": 1, "summary/pending": 1})
}

// TestBatchOff: a zero threshold turns batching off.
func TestBatchOff(t *testing.T) {
	f := newBatchFixture(t, 0)
	for i := range 5 {
		f.publishAs(f.token, "job_failed", fmt.Sprint("failure ", i))
	}
	f.settle()
	if n := len(f.to("alice@example.org")); n != 5 {
		t.Fatalf("%d messages with batching off, want 5", n)
	}
}

// TestEmailLogPruned: the retention job deletes sent e-mails once they are
// older than email.retention (30 days by default) and keeps held ones.
func TestEmailLogPruned(t *testing.T) {
	f := newBatchFixture(t, 1)
	f.publishAs(f.token, "job_failed", "sent on its own")
	f.publishAs(f.token, "job_failed", "held")
	f.settle()
	job := retention.New(retention.Deps{Pruner: f.app.DB, Config: app.DefaultConfig().Retention,
		Emails: app.DefaultConfig().Email.Retention.Duration, Clock: f.clock})
	f.clock.Advance(29 * 24 * time.Hour)
	f.settle() // the summary goes
	if c, err := job.RunOnce(context.Background(), false); err != nil || c.Emails != 0 {
		t.Fatalf("after 29 days: %+v, %v; want nothing pruned", c, err)
	}
	f.clock.Advance(2 * 24 * time.Hour)
	if c, err := job.RunOnce(context.Background(), false); err != nil || c.Emails != 1 {
		t.Fatalf("after 31 days: %+v, %v; want the first e-mail pruned", c, err)
	}
	wantCounts(t, f.statuses(""), map[string]int{"single/sent": 1, "summary/sent": 1})
}
