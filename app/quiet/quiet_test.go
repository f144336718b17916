package quiet_test

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

// The window of these tests: Friday 22:00 to Saturday 07:00 in Paris, in
// December (UTC+1).
var (
	paris, _    = time.LoadLocation("Europe/Paris")
	friday23    = time.Date(2026, 12, 4, 23, 0, 0, 0, paris)
	saturday07  = time.Date(2026, 12, 5, 7, 0, 0, 0, paris)
	nightWindow = `{"timezone":"Europe/Paris","windows":[{"days":["fri"],"start":"22:00","end":"07:00"}]}`
)

// fixture is the whole application on loopback with a fake clock, e-mail to
// the kit's SMTP server, Web Push to the kit's push service and two
// webhooks to real local receivers: one follows alice's quiet hours, one
// does not.
type fixture struct {
	t       *testing.T
	app     *servertest.App
	clock   *clocktest.Fake
	smtp    *apptest.SMTP
	push    *apptest.PushService
	dbPath  string
	alice   *app.User
	cookie  string
	token   string
	follows *receiver
	exempt  *receiver
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, clock: clocktest.At(friday23.Add(-2 * time.Hour)), smtp: apptest.NewSMTP(t), push: apptest.NewPushService(t),
		dbPath: filepath.Join(t.TempDir(), "belfry.db"), follows: newReceiver(t), exempt: newReceiver(t)}
	f.start()
	f.alice = f.app.User("alice", false)
	f.cookie, f.token = f.app.Session(f.alice), f.app.Token(f.alice, app.ScopePublish)
	f.expect(f.do("PUT", "/api/email/address", `{"email":"alice@example.org"}`), http.StatusOK)
	f.expect(f.do("POST", "/api/push/subscriptions", f.push.Device("phone").JSON()), http.StatusCreated)
	f.expect(f.do("POST", "/api/webhooks", `{"kind":"generic","url":"`+f.follows.URL+`","events":["job.failed"]}`), http.StatusCreated)
	f.expect(f.do("POST", "/api/webhooks", `{"kind":"generic","url":"`+f.exempt.URL+`","events":["job.failed"],"follows_quiet_hours":false}`), http.StatusCreated)
	f.expect(f.do("PUT", "/api/notifications/quiet-hours", nightWindow), http.StatusOK)
	f.clock.Set(friday23)
	return f
}

// start starts (or restarts) the application on the fixture's database.
func (f *fixture) start() {
	f.app = servertest.New(f.t, servertest.WithClock(f.clock), servertest.WithConfig(func(c *app.Config) {
		c.Database.Path = f.dbPath
		c.Storm.Enabled = false
		c.Report.Timezone = "UTC"
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

func (f *fixture) publish(level, title string) {
	f.t.Helper()
	f.expect(f.app.Do("POST", "/api/v1/events", `{"type":"job_failed","level":"`+level+`","title":"`+title+`"}`,
		servertest.Bearer(f.token)), http.StatusAccepted)
}

type listed struct {
	Notifications []struct {
		ID, Type, Title, Body string
	}
	UnreadCount int
}

func (f *fixture) inbox() listed {
	f.t.Helper()
	var l listed
	if err := json.Unmarshal(f.expect(f.do("GET", "/api/notifications", ""), http.StatusOK).Body.Bytes(), &l); err != nil {
		f.t.Fatal(err)
	}
	return l
}

// digests returns alice's digest notifications.
func (f *fixture) digests() []string {
	var out []string
	for _, n := range f.inbox().Notifications {
		if n.Type == app.QuietDigestType {
			out = append(out, n.Title+"\n"+n.Body)
		}
	}
	return out
}

func (f *fixture) waitDigests(n int) []string {
	f.t.Helper()
	var got []string
	apptest.WaitFor(f.t, "the digest", func() bool { got = f.digests(); return len(got) >= n })
	if len(got) != n {
		f.t.Fatalf("%d digests, want %d: %q", len(got), n, got)
	}
	return got
}

// settle gives the background workers time to send what they would send.
func settle() { time.Sleep(300 * time.Millisecond) }

// receiver is a real local webhook endpoint that records request bodies.
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

func (r *receiver) titles() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, b := range r.bodies {
		var p struct {
			Data struct {
				Title string `json:"title"`
			} `json:"data"`
		}
		_ = json.Unmarshal([]byte(b), &p)
		out = append(out, p.Data.Title)
	}
	return out
}

func pushTitles(p *apptest.PushService) []string {
	var out []string
	for _, r := range p.Received() {
		if t, ok := r.Payload["title"].(string); ok && r.Status < 300 {
			out = append(out, t)
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

// TestQuietHours_HoldAndDigest: inside the window an info and two warnings
// are stored and counted, but no toast, push, e-mail or quiet-following
// webhook carries them; an error breaks through on every channel; the
// exempt webhook gets all four. At 07:00 one digest goes out, on push and
// e-mail too, and never a second.
func TestQuietHours_HoldAndDigest(t *testing.T) {
	f := newFixture(t)
	socket := apptest.Dial(t, strings.Replace(f.app.URL, "http", "ws", 1)+"/ws/notification/",
		http.Header{"Authorization": {"Bearer " + f.app.Token(f.alice, app.ScopeClient)}})
	apptest.WaitFor(t, "the socket indexed", func() bool { return f.app.Hub.Stats().Sockets == 1 })
	f.publish("info", "Backup started late")
	f.publish("warning", "Disk 91% full")
	f.publish("warning", "Disk 95% full")
	f.publish("error", "Backup failed")

	toasts := 0
	for range 4 {
		var frame struct {
			Notification *struct{ Level string } `json:"notification"`
		}
		if err := json.Unmarshal(socket.Next(), &frame); err != nil {
			t.Fatal(err)
		}
		if frame.Notification != nil {
			toasts++
			if frame.Notification.Level != "error" {
				t.Errorf("a held %s was toasted", frame.Notification.Level)
			}
		}
	}
	if toasts != 1 {
		t.Errorf("%d toasts, want the error's only", toasts)
	}
	apptest.WaitFor(t, "the error's push", func() bool { return len(pushTitles(f.push)) >= 1 })
	f.smtp.WaitMessages(t, 1)
	apptest.WaitFor(t, "the exempt webhook's four", func() bool { return len(f.exempt.titles()) >= 4 })
	apptest.WaitFor(t, "the error's webhook", func() bool { return len(f.follows.titles()) >= 1 })
	settle()
	if got := pushTitles(f.push); len(got) != 1 || got[0] != "Backup failed" {
		t.Errorf("pushes inside the window: %q", got)
	}
	if got := emailSubjects(f.smtp); len(got) != 1 || !strings.Contains(got[0], "Backup failed") {
		t.Errorf("e-mails inside the window: %q", got)
	}
	if got := f.follows.titles(); len(got) != 1 || got[0] != "Backup failed" {
		t.Errorf("the quiet-following webhook got %q", got)
	}
	if l := f.inbox(); len(l.Notifications) != 4 || l.UnreadCount != 4 {
		t.Fatalf("stored %d, badge %d; want 4 and 4", len(l.Notifications), l.UnreadCount)
	}
	if d := f.digests(); len(d) != 0 {
		t.Fatalf("a digest before the window ended: %q", d)
	}

	f.clock.Set(saturday07.Add(-time.Minute))
	settle()
	if d := f.digests(); len(d) != 0 {
		t.Fatalf("a digest at 06:59: %q", d)
	}
	f.clock.Set(saturday07)
	got := f.waitDigests(1)
	if !strings.HasPrefix(got[0], "While you were away: 3 notifications, 2 warnings\n") || strings.Count(got[0], "]("+f.app.URL+"/n/") != 3 ||
		!strings.Contains(got[0], "[Disk 95% full]("+f.app.URL+"/n/") {
		t.Fatalf("digest %q", got[0])
	}
	for _, n := range f.inbox().Notifications {
		if n.Type != app.QuietDigestType && n.Title != "Backup failed" && !strings.Contains(got[0], f.app.URL+"/n/"+n.ID+")") {
			t.Errorf("the digest does not link %s", n.Title)
		}
	}
	apptest.WaitFor(t, "the digest's push", func() bool { return len(pushTitles(f.push)) >= 2 })
	f.smtp.WaitMessages(t, 2)
	if p := pushTitles(f.push); !strings.HasPrefix(p[1], "While you were away") {
		t.Errorf("second push %q", p[1])
	}
	f.clock.Advance(24 * time.Hour)
	settle()
	f.waitDigests(1)
	if n := len(f.exempt.titles()); n != 4 {
		t.Errorf("the exempt webhook got %d deliveries, want 4 (no digest)", n)
	}
}

// TestQuietHours_NothingHeldNoDigest: an error only, or nothing at all,
// gives no digest.
func TestQuietHours_NothingHeldNoDigest(t *testing.T) {
	f := newFixture(t)
	f.publish("error", "Backup failed")
	f.clock.Set(saturday07.Add(time.Hour))
	settle()
	if d := f.digests(); len(d) != 0 {
		t.Fatalf("digest with nothing held: %q", d)
	}
}

// TestQuietHours_RestartMidWindow: what was held before a restart is in the
// digest at the window's end, once.
func TestQuietHours_RestartMidWindow(t *testing.T) {
	f := newFixture(t)
	f.publish("warning", "Disk 91% full")
	f.stop()
	f.clock.Set(friday23.Add(2 * time.Hour))
	f.start()
	f.publish("info", "Backup started late")
	settle()
	if d := f.digests(); len(d) != 0 {
		t.Fatalf("a digest mid-window: %q", d)
	}
	f.clock.Set(saturday07)
	if got := f.waitDigests(1); !strings.HasPrefix(got[0], "While you were away: 2 notifications, 1 warning\n") {
		t.Fatalf("digest %q", got[0])
	}
	f.stop()
	f.start()
	settle()
	f.waitDigests(1)
}

// TestQuietHours_OffAtWindowEnd: Belfry was off at 07:00; the digest goes
// out at start, once across further restarts.
func TestQuietHours_OffAtWindowEnd(t *testing.T) {
	f := newFixture(t)
	f.publish("info", "Backup started late")
	f.stop()
	f.clock.Set(saturday07.Add(3 * time.Hour))
	f.start()
	if got := f.waitDigests(1); !strings.HasPrefix(got[0], "While you were away: 1 notification\n") {
		t.Fatalf("digest %q", got[0])
	}
	f.stop()
	f.start()
	settle()
	f.waitDigests(1)
}

// TestQuietHours_API: the caller's setting round-trips with its defaults,
// and every bad input is a 400 in the error envelope.
func TestQuietHours_API(t *testing.T) {
	f := newFixture(t)
	bob := f.app.Session(f.app.User("bob", false))
	var q app.QuietHours
	if err := json.Unmarshal(f.app.Do("GET", "/api/notifications/quiet-hours", "", servertest.Cookie(bob)).Body.Bytes(), &q); err != nil {
		t.Fatal(err)
	}
	if q.Timezone != "UTC" || len(q.Windows) != 0 || q.Breakthrough != app.LevelError {
		t.Fatalf("bob's defaults: %+v (the server's zone is report.timezone, UTC here)", q)
	}
	w := f.expect(f.do("PUT", "/api/notifications/quiet-hours",
		`{"timezone":"America/New_York","breakthrough":"warning","windows":[{"days":["sat","sun"],"start":"13:30","end":"15:00"}]}`), http.StatusOK)
	if err := json.Unmarshal(w.Body.Bytes(), &q); err != nil || q.Timezone != "America/New_York" || q.Breakthrough != app.LevelWarning ||
		len(q.Windows) != 1 || q.Windows[0].Start != "13:30" {
		t.Fatalf("saved %s", w.Body)
	}
	for name, body := range map[string]string{
		"BadZone":      `{"timezone":"Mars/Olympus","windows":[]}`,
		"BadHHMM":      `{"windows":[{"days":["fri"],"start":"22h","end":"07:00"}]}`,
		"EmptyDays":    `{"windows":[{"days":[],"start":"22:00","end":"07:00"}]}`,
		"UnknownLevel": `{"breakthrough":"critical"}`,
		"UnknownField": `{"zone":"UTC"}`,
		"NotJSON":      `{"windows":`,
		"WrongType":    `{"windows":"nightly"}`,
	} {
		t.Run(name, func(t *testing.T) {
			w := f.do("PUT", "/api/notifications/quiet-hours", body)
			var env struct {
				Error struct{ Code, Message string }
			}
			if w.Code != http.StatusBadRequest || json.Unmarshal(w.Body.Bytes(), &env) != nil || env.Error.Message == "" {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
		})
	}
	if err := json.Unmarshal(f.do("GET", "/api/notifications/quiet-hours", "").Body.Bytes(), &q); err != nil || q.Timezone != "America/New_York" {
		t.Fatalf("a refused PUT changed the setting: %+v", q)
	}
}
