package schedule_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/server/servertest"
)

// fixture is the whole application on a fake clock and a database file
// that survives restarts, with alice, her publish token and her session.
type fixture struct {
	t      testing.TB
	app    *servertest.App
	clock  *clocktest.Fake
	dbPath string
	alice  *app.User
	token  string // alice's publish token
	cookie string
	smtp   *apptest.SMTP // nil: no e-mail
}

func newFixture(t testing.TB) *fixture { return newFixtureWith(t, nil) }

// newFixtureWith is newFixture with e-mail through smtp (nil: none).
func newFixtureWith(t testing.TB, smtp *apptest.SMTP) *fixture {
	f := &fixture{t: t, clock: clocktest.New(), dbPath: filepath.Join(t.TempDir(), "belfry.db"), smtp: smtp}
	f.start()
	f.alice = f.app.User("alice", false)
	f.token = f.app.Token(f.alice, app.ScopePublish)
	f.cookie = f.app.Session(f.alice)
	return f
}

// start starts (or restarts) the application on the fixture's database.
func (f *fixture) start() {
	f.app = servertest.New(f.t, servertest.WithClock(f.clock), servertest.WithConfig(func(c *app.Config) {
		c.Database.Path = f.dbPath
		c.Report.Enabled = false
		c.Report.Timezone = "UTC"
		if f.smtp != nil {
			f.smtp.Configure(&c.Email)
		}
	}))
}

// stop stops the application.
func (f *fixture) stop() {
	f.t.Helper()
	if err := f.app.Close(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

// restart stops the application and starts it again on the same file.
func (f *fixture) restart() {
	f.stop()
	f.start()
	f.cookie = f.app.Session(f.alice)
}

// publish posts body with alice's publish token.
func (f *fixture) publish(body string) (int, string) {
	f.t.Helper()
	w := f.app.Do("POST", "/api/v1/events", body, servertest.Bearer(f.token))
	return w.Code, w.Body.String()
}

// scheduledAnswer is the answer to a scheduled publish.
type scheduledAnswer struct {
	Notifications []app.NotificationRef `json:"notifications"`
	Scheduled     *struct {
		ID        string    `json:"id"`
		DeliverAt time.Time `json:"deliver_at"`
	} `json:"scheduled"`
}

// schedule publishes body, which must be scheduled, and waits until the
// timer waits for it (or an earlier event).
func (f *fixture) schedule(body string) scheduledAnswer {
	f.t.Helper()
	code, out := f.publish(body)
	var a scheduledAnswer
	decode(f.t, out, &a)
	if code != http.StatusAccepted || a.Scheduled == nil || a.Scheduled.ID == "" || len(a.Notifications) != 0 {
		f.t.Fatalf("publish %s: %d %s", body, code, out)
	}
	f.waitArmed(a.Scheduled.DeliverAt)
	return a
}

// waitArmed waits until the timer waits for at or an earlier time.
func (f *fixture) waitArmed(at time.Time) {
	f.t.Helper()
	apptest.WaitFor(f.t, "the delivery timer", func() bool {
		a := f.app.Schedule.Armed()
		return a != 0 && a <= at.UnixMilli()
	})
}

// pending lists alice's scheduled events through the API.
func (f *fixture) pending() []app.ScheduledEvent {
	f.t.Helper()
	w := f.app.Do("GET", "/api/v1/events/scheduled", "", servertest.Bearer(f.token))
	if w.Code != http.StatusOK {
		f.t.Fatalf("list scheduled: %d %s", w.Code, w.Body)
	}
	var out struct {
		Scheduled []app.ScheduledEvent `json:"scheduled"`
	}
	decode(f.t, w.Body.String(), &out)
	return out.Scheduled
}

// inbox is alice's in-app list and badge, through the API.
type inbox struct {
	Notifications []struct {
		ID        string    `json:"id"`
		Title     string    `json:"title"`
		CreatedAt time.Time `json:"created_at"`
	} `json:"notifications"`
	UnreadCount int `json:"unreadCount"`
}

func (f *fixture) inbox() inbox {
	f.t.Helper()
	w := f.app.Do("GET", "/api/notifications", "", servertest.Cookie(f.cookie))
	if w.Code != http.StatusOK {
		f.t.Fatalf("inbox: %d %s", w.Code, w.Body)
	}
	var in inbox
	decode(f.t, w.Body.String(), &in)
	return in
}

// stored counts alice's notifications in the store.
func (f *fixture) stored() []*app.Notification {
	f.t.Helper()
	ns, err := f.app.Notifications.ListNotifications(context.Background(), app.NotificationFilter{UserID: f.alice.ID, Limit: 100})
	if err != nil {
		f.t.Fatal(err)
	}
	return ns
}

// waitStored waits until alice has n notifications.
func (f *fixture) waitStored(n int) []*app.Notification {
	f.t.Helper()
	var ns []*app.Notification
	apptest.WaitFor(f.t, "the delivered notifications", func() bool { ns = f.stored(); return len(ns) >= n })
	return ns
}

// settle gives the background loop time to act, for checks that
// something did not happen.
func settle() { time.Sleep(100 * time.Millisecond) }

func decode(t testing.TB, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
}

// errorCode returns the code of an error envelope.
func errorCode(t testing.TB, body string) string {
	t.Helper()
	var env struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	decode(t, body, &env)
	if env.Error.Code == "" || env.Error.Message == "" {
		t.Fatalf("not an error envelope: %s", body)
	}
	return env.Error.Code
}
