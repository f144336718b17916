package push_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/server/servertest"
)

// fixture is the whole application on loopback with pushes going to
// in-process push services and a fake clock.
type fixture struct {
	t      *testing.T
	app    *servertest.App
	svc    *apptest.PushService
	clock  *clocktest.Fake
	dbPath string
	alice  *app.User
	cookie string
	token  string
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{t: t, svc: apptest.NewPushService(t), clock: clocktest.New(), dbPath: filepath.Join(t.TempDir(), "belfry.db")}
	f.start()
	f.alice = f.app.User("alice", false)
	f.cookie, f.token = f.app.Session(f.alice), f.app.Token(f.alice, app.ScopePublish)
	return f
}

// start starts (or restarts) the application on the fixture's database.
func (f *fixture) start() {
	f.app = servertest.New(f.t, servertest.WithClock(f.clock), servertest.WithConfig(func(c *app.Config) {
		c.Database.Path = f.dbPath
		f.svc.Configure(&c.Push)
	}))
}

func (f *fixture) as(cookie, method, path, body string) *httptest.ResponseRecorder {
	return f.app.Do(method, path, body, servertest.Cookie(cookie))
}

func expect(t *testing.T, w *httptest.ResponseRecorder, status int) *httptest.ResponseRecorder {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d: %s", w.Code, status, w.Body)
	}
	return w
}

// subscribe registers d for the owner of cookie and returns its id.
func (f *fixture) subscribe(cookie string, d *apptest.PushDevice) string {
	f.t.Helper()
	var sub app.PushSubscription
	if err := json.Unmarshal(expect(f.t, f.as(cookie, "POST", "/api/push/subscriptions", d.JSON()), http.StatusCreated).Body.Bytes(), &sub); err != nil {
		f.t.Fatal(err)
	}
	return sub.ID
}

func (f *fixture) publish(token, typ, level, body string) string {
	f.t.Helper()
	w := expect(f.t, f.app.Do("POST", "/api/v1/events", `{"type":"`+typ+`","level":"`+level+`","title":"Nightly backup failed","body":`+
		body+`}`, servertest.Bearer(token)), http.StatusAccepted)
	var res app.DispatchResult
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || len(res.Notifications) == 0 {
		f.t.Fatalf("publish: %s", w.Body)
	}
	return res.Notifications[0].ID
}

func (f *fixture) devices(cookie string) []app.PushSubscription {
	f.t.Helper()
	var res struct{ Subscriptions []app.PushSubscription }
	if err := json.Unmarshal(expect(f.t, f.as(cookie, "GET", "/api/push/subscriptions", ""), http.StatusOK).Body.Bytes(), &res); err != nil {
		f.t.Fatal(err)
	}
	return res.Subscriptions
}

func count(n int) func([]apptest.PushReceived) bool {
	return func(r []apptest.PushReceived) bool { return len(r) >= n }
}

func TestPublicKeyIsMadeOnceAndKept(t *testing.T) {
	f := newFixture(t)
	key := func() string {
		var res struct {
			PublicKey string `json:"public_key"`
		}
		_ = json.Unmarshal(expect(t, f.as(f.cookie, "GET", "/api/push/public-key", ""), http.StatusOK).Body.Bytes(), &res)
		return res.PublicKey
	}
	first := key()
	if raw, err := base64.RawURLEncoding.DecodeString(first); err != nil || len(raw) != 65 || raw[0] != 4 {
		t.Fatalf("public key %q is not an uncompressed P-256 point", first)
	}
	_ = f.app.Close(context.Background())
	f.start()
	if again := key(); again != first {
		t.Fatalf("the key changed across a restart: %s then %s", first, again)
	}
	expect(t, f.app.Do("GET", "/api/push/public-key", ""), http.StatusUnauthorized)
}

func TestSubscriptionsAreTheCallersOnly(t *testing.T) {
	f := newFixture(t)
	bob := f.app.Session(f.app.User("bob", false))
	phone := f.svc.Device("phone")
	id := f.subscribe(f.cookie, phone)
	// The same device again refreshes its keys: 200, same id.
	var again app.PushSubscription
	_ = json.Unmarshal(expect(t, f.as(f.cookie, "POST", "/api/push/subscriptions", phone.JSON()), http.StatusOK).Body.Bytes(), &again)
	if again.ID != id {
		t.Fatalf("re-subscribing made %s, want %s", again.ID, id)
	}
	if ds := f.devices(f.cookie); len(ds) != 1 || ds[0].ID != id || ds[0].Name == "" {
		t.Fatalf("alice's devices: %+v", ds)
	}
	if ds := f.devices(bob); len(ds) != 0 {
		t.Fatalf("bob sees alice's devices: %+v", ds)
	}
	expect(t, f.as(bob, "DELETE", "/api/push/subscriptions/"+id, ""), http.StatusNotFound)
	expect(t, f.as(bob, "POST", "/api/push/subscriptions/"+id+"/test", ""), http.StatusNotFound)
	expect(t, f.as(f.cookie, "DELETE", "/api/push/subscriptions/not-an-id", ""), http.StatusBadRequest)
	expect(t, f.as(f.cookie, "DELETE", "/api/push/subscriptions/"+id, ""), http.StatusNoContent)
	expect(t, f.as(f.cookie, "DELETE", "/api/push/subscriptions/"+id, ""), http.StatusNotFound)
}

func TestBadSubscriptionsAreRefused(t *testing.T) {
	f := newFixture(t)
	key65 := base64.RawURLEncoding.EncodeToString(append([]byte{4}, make([]byte, 64)...)) // not on the curve
	good := f.svc.Device("good")
	var valid map[string]any
	_ = json.Unmarshal([]byte(good.JSON()), &valid)
	keys := valid["keys"].(map[string]any)
	p256, auth := keys["p256dh"].(string), keys["auth"].(string)
	body := func(endpoint, p, a string) string {
		b, _ := json.Marshal(map[string]any{"endpoint": endpoint, "keys": map[string]string{"p256dh": p, "auth": a}})
		return string(b)
	}
	for name, b := range map[string]string{
		"http endpoint":       body("http://push.example.org/x", p256, auth),
		"not a URL":           body("::nope", p256, auth),
		"relative endpoint":   body("/push/x", p256, auth),
		"user info":           body("https://u:p@push.example.org/x", p256, auth),
		"empty endpoint":      body("", p256, auth),
		"long endpoint":       body("https://push.example.org/"+strings.Repeat("a", 2100), p256, auth),
		"missing keys":        `{"endpoint":"https://push.example.org/x"}`,
		"missing auth":        `{"endpoint":"https://push.example.org/x","keys":{"p256dh":"` + p256 + `"}}`,
		"short p256dh":        body("https://push.example.org/x", p256[:40], auth),
		"p256dh off curve":    body("https://push.example.org/x", key65, auth),
		"p256dh not base64":   body("https://push.example.org/x", "!!!", auth),
		"short auth":          body("https://push.example.org/x", p256, auth[:10]),
		"long auth":           body("https://push.example.org/x", p256, auth+"AAAA"),
		"auth not base64":     body("https://push.example.org/x", p256, "*"),
		"name on two lines":   `{"endpoint":"https://push.example.org/x","keys":{"p256dh":"` + p256 + `","auth":"` + auth + `"},"name":"a\nb"}`,
		"endpoint not string": `{"endpoint":1}`,
		"not JSON":            `endpoint=x`,
		"empty body":          ``,
	} {
		w := f.as(f.cookie, "POST", "/api/push/subscriptions", b)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"error"`) {
			t.Errorf("%s: %d %s, want 400 in the error envelope", name, w.Code, w.Body)
		}
	}
	if ds := f.devices(f.cookie); len(ds) != 0 {
		t.Fatalf("a bad subscription was stored: %+v", ds)
	}
}

func TestPushIsEncryptedSignedAndShowsTheNotification(t *testing.T) {
	f := newFixture(t)
	f.subscribe(f.cookie, f.svc.Device("phone"))
	id := f.publish(f.token, "job_failed", "error", `"Disk **full** on `+"`nas`"+`: `+strings.Repeat("x", 400)+`"`)
	got := f.svc.WaitFor("the push", count(1))[0]
	p := got.Payload
	if p["kind"] != "notify" || p["id"] != id || p["tag"] != "belfry-"+id || p["title"] != "Nightly backup failed" ||
		p["url"] != "/n/"+id || p["level"] != "error" || p["icon"] != "/push/icons/error.png" || p["badge"] != float64(1) {
		t.Fatalf("payload %v", p)
	}
	if body := p["body"].(string); !strings.HasPrefix(body, "Disk full on nas: xxx") || len(body) > 250 || !strings.HasSuffix(body, "…") {
		t.Fatalf("body excerpt %q", body)
	}
	if got.Header.Get("Urgency") != "high" || got.Header.Get("Topic") == "" || got.Header.Get("TTL") != "86400" {
		t.Fatalf("headers %v", got.Header)
	}
	if got.Audience != f.svc.Origin() || got.Subject != "mailto:belfry@localhost" {
		t.Fatalf("VAPID aud %q sub %q", got.Audience, got.Subject)
	}
	var key struct {
		PublicKey string `json:"public_key"`
	}
	_ = json.Unmarshal(f.as(f.cookie, "GET", "/api/push/public-key", "").Body.Bytes(), &key)
	if got.Key != key.PublicKey {
		t.Fatalf("signed with %s, the page subscribes with %s", got.Key, key.PublicKey)
	}
	apptest.WaitFor(t, "last success", func() bool { ds := f.devices(f.cookie); return len(ds) == 1 && ds[0].LastSuccessAt != nil })

	// A warning is normal urgency; a type whose push is off sends nothing.
	f.publish(f.token, "quota_warning", "warning", `"90% used"`)
	if r := f.svc.WaitFor("the warning", count(2))[1]; r.Header.Get("Urgency") != "normal" {
		t.Fatalf("warning urgency %q", r.Header.Get("Urgency"))
	}
	f.publish(f.token, "job_completed", "info", `"done"`)
	expect(t, f.as(f.cookie, "PUT", "/api/notifications/preferences", `{"job_completed_push":true}`), http.StatusOK)
	f.publish(f.token, "job_completed", "info", `"done again"`)
	if r := f.svc.WaitFor("the completed job", count(3)); len(r) != 3 || r[2].Payload["body"] != "done again" {
		t.Fatalf("pushes %d, last %v", len(r), r[len(r)-1].Payload)
	}
}

func TestOneUsersPushNeverReachesAnothersDevice(t *testing.T) {
	f := newFixture(t)
	bobUser := f.app.User("bob", false)
	bob, bobToken := f.app.Session(bobUser), f.app.Token(bobUser, app.ScopePublish)
	f.subscribe(f.cookie, f.svc.Device("alice-phone"))
	shared := f.svc.Device("shared-tablet")
	f.subscribe(bob, shared)
	f.publish(f.token, "job_failed", "error", `"for alice"`)
	f.publish(bobToken, "job_failed", "error", `"for bob"`)
	got := f.svc.WaitFor("two pushes", count(2))
	for _, r := range got {
		want := map[string]string{"alice-phone": "for alice", "shared-tablet": "for bob"}[r.Device]
		if r.Payload["body"] != want {
			t.Fatalf("%s got %v", r.Device, r.Payload)
		}
	}
	// The tablet moves to alice: bob's pushes no longer reach it.
	f.subscribe(f.cookie, shared)
	if ds := f.devices(bob); len(ds) != 0 {
		t.Fatalf("bob still has %+v", ds)
	}
	f.publish(bobToken, "job_failed", "error", `"bob again"`)
	f.publish(f.token, "job_failed", "error", `"alice again"`)
	f.svc.WaitFor("alice's two", count(4))
	time.Sleep(100 * time.Millisecond)
	for _, r := range f.svc.Received()[2:] {
		if r.Payload["body"] != "alice again" {
			t.Fatalf("%s got %v", r.Device, r.Payload)
		}
	}
}

func TestRetryHonoursRetryAfterAndResumesAfterARestart(t *testing.T) {
	f := newFixture(t)
	f.subscribe(f.cookie, f.svc.Device("phone"))
	f.svc.Answer("phone", apptest.PushAnswer{Status: 429, RetryAfter: "120"}, apptest.PushAnswer{Status: 500})
	f.publish(f.token, "job_failed", "error", `"retry me"`)
	f.svc.WaitFor("the 429", count(1))
	f.clock.Advance(119 * time.Second)
	f.app.Push.Kick()
	time.Sleep(100 * time.Millisecond)
	if n := len(f.svc.Received()); n != 1 {
		t.Fatalf("%d attempts before Retry-After ended", n)
	}
	f.clock.Advance(2 * time.Second)
	f.app.Push.Kick()
	f.svc.WaitFor("the 500", count(2))
	// Restart while the push waits for its backoff (30 s + jitter).
	_ = f.app.Close(context.Background())
	f.start()
	// The restarted worker may not wait on the clock yet when it is moved
	// on: move it past the backoff in steps until the retry arrives.
	for deadline := time.Now().Add(10 * time.Second); len(f.svc.Received()) < 3 && time.Now().Before(deadline); {
		f.clock.Advance(5 * time.Second)
		f.app.Push.Kick()
		time.Sleep(50 * time.Millisecond)
	}
	got := f.svc.WaitFor("the retry after the restart", count(3))
	if got[2].Status != 201 || got[2].Payload["body"] != "retry me" {
		t.Fatalf("third attempt %+v", got[2])
	}
}

func TestGoneRemovesTheDeviceAndTooLargeShrinks(t *testing.T) {
	f := newFixture(t)
	f.subscribe(f.cookie, f.svc.Device("phone"))
	f.subscribe(f.cookie, f.svc.Device("old"))
	f.svc.Answer("phone", apptest.PushAnswer{Status: 413})
	f.svc.Answer("old", apptest.PushAnswer{Status: 410})
	f.publish(f.token, "job_failed", "error", `"`+strings.Repeat("long words ", 30)+`"`)
	got := f.svc.WaitFor("three requests", count(3))
	var phone []apptest.PushReceived
	for _, r := range got {
		if r.Device == "phone" {
			phone = append(phone, r)
		}
	}
	if len(phone) != 2 || len(phone[1].Raw) >= len(phone[0].Raw) || phone[1].Status != 201 {
		t.Fatalf("after a 413 the payload did not shrink: %d requests", len(phone))
	}
	apptest.WaitFor(t, "the gone device removed", func() bool {
		ds := f.devices(f.cookie)
		return len(ds) == 1 && ds[0].Endpoint == f.svc.Origin()+"/push/phone"
	})
}

func TestReadClearsTheDevicesAndStormsSummarise(t *testing.T) {
	f := newFixture(t)
	f.subscribe(f.cookie, f.svc.Device("phone"))
	id := f.publish(f.token, "job_failed", "error", `"read me"`)
	f.svc.WaitFor("the push", count(1))
	expect(t, f.as(f.cookie, "PATCH", "/api/notifications/"+id+"/read", ""), http.StatusOK)
	got := f.svc.WaitFor("the clear", count(2))[1]
	if got.Payload["kind"] != "clear" || got.Payload["tag"] != "belfry-"+id || got.Header.Get("Topic") != f.svc.Received()[0].Header.Get("Topic") {
		t.Fatalf("clear %v %v", got.Payload, got.Header)
	}
	// A flood while the service is slow goes out as one summary.
	release := f.svc.Hold()
	for range 6 {
		f.publish(f.token, "job_failed", "error", `"flood"`)
	}
	release()
	got2 := f.svc.WaitFor("the flood", func(r []apptest.PushReceived) bool {
		n := 0
		for _, p := range r[2:] {
			if c, ok := p.Payload["count"].(float64); ok {
				n += int(c)
			} else {
				n++
			}
		}
		return n == 6
	})
	var summary map[string]any
	for _, r := range got2[2:] {
		if r.Payload["kind"] == "summary" {
			summary = r.Payload
		}
	}
	if len(got2)-2 >= 6 || summary == nil || !strings.HasSuffix(summary["title"].(string), "new notifications") || summary["tag"] != "belfry-summary" {
		t.Fatalf("%d pushes for a flood of 6, summary %v", len(got2)-2, summary)
	}
}

func TestASlowPushServiceHoldsUpOnlyItsOwnPushes(t *testing.T) {
	f := newFixture(t)
	other := apptest.NewPushService(t) // another host:port, the same test certificate
	bobUser := f.app.User("bob", false)
	bob, bobToken := f.app.Session(bobUser), f.app.Token(bobUser, app.ScopePublish)
	f.subscribe(f.cookie, f.svc.Device("alice-phone"))
	f.subscribe(bob, other.Device("bob-phone"))
	release := f.svc.Hold()
	defer release()
	f.publish(f.token, "job_failed", "error", `"alice waits"`)
	time.Sleep(50 * time.Millisecond) // alice's lane is now stuck in its request
	f.publish(bobToken, "job_failed", "error", `"bob does not"`)
	if got := other.WaitFor("bob's push while alice's service hangs", count(1)); got[0].Payload["body"] != "bob does not" {
		t.Fatalf("bob got %v", got[0].Payload)
	}
	if n := len(f.svc.Received()); n != 0 {
		t.Fatalf("the held service answered %d pushes", n)
	}
	release()
	f.svc.WaitFor("alice's push after the service recovers", count(1))
}

func TestTheAppIsInstallable(t *testing.T) {
	f := newFixture(t)
	w := expect(t, f.app.Do("GET", "/manifest.webmanifest", ""), http.StatusOK)
	if ct := w.Header().Get("Content-Type"); ct != "application/manifest+json" {
		t.Fatalf("manifest Content-Type %q", ct)
	}
	var m struct {
		Name, ShortName, StartURL, Display, Scope, ThemeColor string
		Icons                                                 []struct{ Src, Sizes, Type, Purpose string }
	}
	raw := strings.NewReplacer(`"short_name"`, `"ShortName"`, `"start_url"`, `"StartURL"`, `"theme_color"`, `"ThemeColor"`).Replace(w.Body.String())
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("manifest is not JSON: %v", err)
	}
	if m.Name != "Belfry" || m.Display != "standalone" || m.StartURL != "/notifications" || m.Scope != "/" || m.ThemeColor == "" {
		t.Fatalf("manifest %+v", m)
	}
	purposes := map[string]bool{}
	for _, ic := range m.Icons {
		r := expect(t, f.app.Do("GET", ic.Src, ""), http.StatusOK)
		img, err := png.Decode(r.Body)
		if err != nil || r.Header().Get("Content-Type") != "image/png" {
			t.Fatalf("%s: %v %s", ic.Src, err, r.Header().Get("Content-Type"))
		}
		if size := img.Bounds().Dx(); ic.Sizes != strconv.Itoa(size)+"x"+strconv.Itoa(img.Bounds().Dy()) {
			t.Fatalf("%s is %d wide, the manifest says %s", ic.Src, size, ic.Sizes)
		}
		purposes[ic.Purpose+" "+ic.Sizes] = true
	}
	if !purposes["any 192x192"] || !purposes["any 512x512"] || !purposes["maskable 512x512"] {
		t.Fatalf("icons %v", purposes)
	}
	sw := expect(t, f.app.Do("GET", "/sw.js", ""), http.StatusOK)
	if !strings.HasPrefix(sw.Header().Get("Content-Type"), "text/javascript") || sw.Header().Get("Service-Worker-Allowed") != "/" ||
		!strings.Contains(sw.Body.String(), `addEventListener("push"`) {
		t.Fatalf("sw.js %v", sw.Header())
	}
	if off := expect(t, f.app.Do("GET", "/offline", ""), http.StatusOK); !strings.Contains(off.Body.String(), "out of reach") {
		t.Fatal("offline page")
	}
	expect(t, f.app.Do("GET", "/push/icons/apple-touch-icon.png", ""), http.StatusOK)
	expect(t, f.app.Do("GET", "/push/icons/nope.png", ""), http.StatusNotFound)
}

func TestAStormIsHeldBackAndSummarised(t *testing.T) {
	f := newFixture(t)
	f.subscribe(f.cookie, f.svc.Device("phone"))
	// storm.short_max (6) pushes within storm.short_window (10 s) go one
	// by one...
	for i := range 6 {
		f.publish(f.token, "job_failed", "error", `"one by one"`)
		f.svc.WaitFor("push", count(i+1))
	}
	// ...then the storm holds the rest back until the window ends.
	for range 8 {
		f.publish(f.token, "job_failed", "error", `"held"`)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(f.svc.Received()); n != 6 {
		t.Fatalf("%d pushes during the storm, want 6", n)
	}
	f.clock.Advance(11 * time.Second)
	f.app.Push.Kick()
	got := f.svc.WaitFor("the summary", count(7))[6].Payload
	if got["kind"] != "summary" || got["count"] != float64(8) || got["title"] != "8 new notifications" || got["badge"] != float64(14) {
		t.Fatalf("summary %v", got)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(f.svc.Received()); n != 7 {
		t.Fatalf("%d pushes, want 6 and one summary", n)
	}
}

func TestPushOutcomesAreCounted(t *testing.T) {
	f := newFixture(t)
	f.subscribe(f.cookie, f.svc.Device("phone"))
	f.svc.Answer("phone", apptest.PushAnswer{Status: 503})
	f.publish(f.token, "job_failed", "error", `"counted"`)
	f.svc.WaitFor("the 503", count(1))
	admin := f.app.TokenFor("root", true, app.ScopeAdmin)
	apptest.WaitFor(t, "the retry counted", func() bool {
		w := f.app.Do("GET", "/metrics", "", servertest.Bearer(admin))
		return strings.Contains(w.Body.String(), `belfry_push_requests_total{outcome="retried"} 1`)
	})
}

// A push service that looks down is paused until its failed push is due
// again: the pushes queued meanwhile wait, and then go in one attempt (a
// summary), instead of one failing attempt per batch of them.
func TestADownPushServiceIsTriedOncePerBackoff(t *testing.T) {
	f := newFixture(t)
	f.subscribe(f.cookie, f.svc.Device("phone"))
	down := make([]apptest.PushAnswer, 20)
	for i := range down {
		down[i] = apptest.PushAnswer{Status: 503}
	}
	f.svc.Answer("phone", down...)
	f.publish(f.token, "job_failed", "error", `"first"`)
	f.svc.WaitFor("the first 503", count(1))
	for i := range 10 {
		f.publish(f.token, "job_failed", "error", `"queued `+strconv.Itoa(i)+`"`)
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(f.svc.Received()); n != 1 {
		t.Fatalf("%d attempts while the service was paused, want 1", n)
	}
	f.clock.Advance(40 * time.Second) // past the first backoff step, 30 s + jitter
	f.app.Push.Kick()
	got := f.svc.WaitFor("the attempt after the pause", count(2))
	time.Sleep(300 * time.Millisecond)
	if n := len(f.svc.Received()); n != 2 {
		t.Fatalf("%d attempts after the pause, want 2 (the queued pushes as one summary)", n)
	}
	if got[1].Payload["count"] != float64(11) {
		t.Fatalf("second attempt %v, want the summary of all 11", got[1].Payload)
	}
}

// While a push service holds its lane, the worker waits for the lane to
// end instead of polling the outbox for the pushes queued behind it.
func TestABusyPushServiceIsNotPolled(t *testing.T) {
	f := newFixture(t)
	f.subscribe(f.cookie, f.svc.Device("phone"))
	release := f.svc.Hold()
	defer release()
	f.publish(f.token, "job_failed", "error", `"held"`)
	time.Sleep(50 * time.Millisecond) // the lane is now stuck in its request
	f.publish(f.token, "job_failed", "error", `"behind it"`)
	time.Sleep(50 * time.Millisecond)
	before := f.app.DB.WriterStats().Commits
	time.Sleep(500 * time.Millisecond)
	if n := f.app.DB.WriterStats().Commits - before; n > 2 {
		t.Fatalf("%d commits in 500 ms while the only host was busy, want none", n)
	}
	release()
	f.svc.WaitFor("both pushes once the service answers", count(2))
}
