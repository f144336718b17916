package heartbeat_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/heartbeat"
	"github.com/belfry/belfry/app/server/servertest"
)

// fixture is the whole application on a fake clock and a database file
// that survives restarts, with alice and her browser session.
type fixture struct {
	t      testing.TB
	app    *servertest.App
	clock  *clocktest.Fake
	dbPath string
	tz     string
	alice  *app.User
	cookie string
}

func newFixture(t *testing.T) *fixture {
	return newFixtureAt(t, clocktest.New(), "UTC")
}

// newFixtureAt starts on clock c with the server's time zone tz.
func newFixtureAt(t *testing.T, c *clocktest.Fake, tz string) *fixture {
	f := &fixture{t: t, clock: c, tz: tz, dbPath: filepath.Join(t.TempDir(), "belfry.db")}
	f.start()
	f.alice = f.app.User("alice", false)
	f.cookie = f.app.Session(f.alice)
	return f
}

// start starts (or restarts) the application on the fixture's database.
func (f *fixture) start() {
	f.app = servertest.New(f.t, servertest.WithClock(f.clock), servertest.WithConfig(func(c *app.Config) {
		c.Database.Path = f.dbPath
		c.Report.Timezone = f.tz
		c.Report.Enabled = false
	}))
}

// restart stops the application and starts it again on the same file.
func (f *fixture) restart() {
	f.t.Helper()
	if err := f.app.Close(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	f.start()
	f.cookie = f.app.Session(f.alice)
}

// api sends a JSON API request as the holder of cookie and returns the
// status and the body.
func (f *fixture) api(cookie, method, path, body string) (int, string) {
	f.t.Helper()
	w := f.app.Do(method, path, body, servertest.Cookie(cookie))
	return w.Code, w.Body.String()
}

// create makes a check of alice from a JSON input and returns it.
func (f *fixture) create(input string) heartbeat.View {
	f.t.Helper()
	code, body := f.api(f.cookie, "POST", "/api/heartbeats", input)
	if code != http.StatusCreated {
		f.t.Fatalf("create %s: %d %s", input, code, body)
	}
	var v heartbeat.View
	decode(f.t, body, &v)
	return v
}

// get returns alice's check id and its log.
func (f *fixture) get(id string) (heartbeat.View, []heartbeat.PingView) {
	f.t.Helper()
	code, body := f.api(f.cookie, "GET", "/api/heartbeats/"+id, "")
	if code != http.StatusOK {
		f.t.Fatalf("get %s: %d %s", id, code, body)
	}
	var out struct {
		Heartbeat heartbeat.View       `json:"heartbeat"`
		Pings     []heartbeat.PingView `json:"pings"`
	}
	decode(f.t, body, &out)
	return out.Heartbeat, out.Pings
}

// ping sends a ping over real HTTP to url (a check's ping URL plus a
// suffix) and returns the status and body.
func (f *fixture) ping(method, url, body string) (int, string) {
	f.t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// pingOK pings and requires healthchecks' answer, then waits until the
// deadline loop's timer waits for the check's deadline (or an earlier
// one), so that the test may move the clock.
func (f *fixture) pingOK(url string) {
	f.t.Helper()
	if code, body := f.ping("GET", url, ""); code != http.StatusOK || body != "OK" {
		f.t.Fatalf("ping %s: %d %q", url, code, body)
	}
	f.waitArmed()
}

// waitArmed waits until the deadline loop waits for the earliest deadline
// of alice's checks.
func (f *fixture) waitArmed() {
	f.t.Helper()
	hs, err := f.app.Heartbeats.List(context.Background(), f.alice.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	var first int64
	for _, h := range hs {
		if h.Deadline != nil && (first == 0 || h.Deadline.UnixMilli() < first) {
			first = h.Deadline.UnixMilli()
		}
	}
	apptest.WaitFor(f.t, "the deadline timer", func() bool {
		a := f.app.Heartbeats.Armed()
		return first == 0 || a != 0 && a <= first
	})
}

// url is the ping URL of v on the running application (a restart
// changes its port).
func (f *fixture) url(v heartbeat.View) string {
	_, key, _ := strings.Cut(v.PingURL, "/ping/")
	return f.app.URL + "/ping/" + key
}

// state returns the state of check id.
func (f *fixture) state(id string) string {
	v, _ := f.get(id)
	return v.State
}

// advanceUntil moves the clock on a second at a time until cond holds:
// the deadline loop runs in the background and may not wait on the clock
// yet when it is moved.
func (f *fixture) advanceUntil(what string, cond func() bool) {
	f.t.Helper()
	for deadline := time.Now().Add(apptest.Guard); !cond(); {
		if time.Now().After(deadline) {
			f.t.Fatalf("timed out waiting for %s", what)
		}
		f.clock.Advance(time.Second)
		time.Sleep(5 * time.Millisecond)
	}
}

// settle gives the background loop time to act on what just happened,
// for checks that something did not happen.
func (f *fixture) settle() { time.Sleep(100 * time.Millisecond) }

// notifications returns alice's notifications, newest first.
func (f *fixture) notifications() []*app.Notification {
	f.t.Helper()
	ns, err := f.app.Notifications.ListNotifications(context.Background(), app.NotificationFilter{UserID: f.alice.ID, Limit: 100})
	if err != nil {
		f.t.Fatal(err)
	}
	return ns
}

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

// heartbeatInput is an Input with a name and a period.
func heartbeatInput(name string, period int64) heartbeat.Input {
	return heartbeat.Input{Name: &name, PeriodSeconds: &period}
}
