package email_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/server/servertest"
)

// fixture is the whole application on loopback with e-mail going to an
// in-process SMTP server (STARTTLS, AUTH PLAIN) and a fake clock.
type fixture struct {
	t      *testing.T
	config func(*app.Config) // more settings, for every start
	app    *servertest.App
	smtp   *apptest.SMTP
	clock  *clocktest.Fake
	dbPath string
	alice  *app.User
	cookie string
	token  string
}

func newFixture(t *testing.T) *fixture { return newFixtureWith(t, nil) }

// newFixtureWith is newFixture with more settings applied at every start.
func newFixtureWith(t *testing.T, config func(*app.Config)) *fixture {
	f := &fixture{t: t, config: config, smtp: apptest.NewSMTP(t), clock: clocktest.New(), dbPath: filepath.Join(t.TempDir(), "belfry.db")}
	f.start()
	f.alice = f.app.User("alice", false)
	f.cookie, f.token = f.app.Session(f.alice), f.app.Token(f.alice, app.ScopePublish)
	f.expect(f.do("PUT", "/api/email/address", `{"email":"alice@example.org"}`), http.StatusOK)
	return f
}

// start starts (or restarts) the application on the fixture's database.
func (f *fixture) start() {
	f.app = servertest.New(f.t, servertest.WithClock(f.clock), servertest.WithConfig(func(c *app.Config) {
		c.Database.Path = f.dbPath
		f.smtp.Configure(&c.Email)
		if f.config != nil {
			f.config(c)
		}
	}))
}

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

func (f *fixture) publish(typ, extra string) string {
	f.t.Helper()
	w := f.expect(f.app.Do("POST", "/api/v1/events", `{"type":"`+typ+`","title":"Nightly backup failed","body":"Disk **full** on `+"`nas`"+`"`+extra+`}`,
		servertest.Bearer(f.token)), http.StatusAccepted)
	return notificationID(f.t, w.Body.Bytes())
}

// notificationID is the first notification of a publish's answer.
func notificationID(t *testing.T, body []byte) string {
	t.Helper()
	var res app.DispatchResult
	if err := json.Unmarshal(body, &res); err != nil || len(res.Notifications) == 0 {
		t.Fatalf("publish: %s", body)
	}
	return res.Notifications[0].ID
}

// emails returns alice's e-mail log, newest first.
func (f *fixture) emails() []app.Email {
	f.t.Helper()
	var st struct {
		Enabled bool        `json:"enabled"`
		Address string      `json:"address"`
		Emails  []app.Email `json:"emails"`
	}
	if err := json.Unmarshal(f.expect(f.do("GET", "/api/email", ""), http.StatusOK).Body.Bytes(), &st); err != nil {
		f.t.Fatal(err)
	}
	return st.Emails
}

// waitEmail waits until alice's newest e-mail has attempts and status.
func (f *fixture) waitEmail(attempts int, status string) app.Email {
	f.t.Helper()
	var last app.Email
	apptest.WaitFor(f.t, "e-mail "+status, func() bool {
		f.app.Email.SendDue(context.Background())
		es := f.emails()
		if len(es) == 0 {
			return false
		}
		last = es[0]
		return last.Attempts == attempts && last.Status == status
	})
	return last
}

// parsed is a received message with its two parts decoded.
type parsed struct {
	header      mail.Header
	text, html  string
	unsubscribe string
}

func parse(t *testing.T, r apptest.Received) parsed {
	t.Helper()
	p := parseParts(t, r)
	lu := p.header.Get("List-Unsubscribe")
	if !strings.HasPrefix(lu, "<") || !strings.HasSuffix(lu, ">") {
		t.Fatalf("List-Unsubscribe %q", lu)
	}
	p.unsubscribe = strings.Trim(lu, "<>")
	return p
}

// parseParts reads a multipart/alternative message's headers and parts.
func parseParts(t *testing.T, r apptest.Received) parsed {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(r.Data))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	p := parsed{header: m.Header}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(part)
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			p.text = string(b)
		case "text/html":
			p.html = string(b)
		default:
			t.Fatalf("unexpected part %q", ct)
		}
	}
	return p
}

func TestMessage(t *testing.T) {
	f := newFixture(t)
	f.publish("job_completed", "") // e-mail off by default: nothing is sent
	id := f.publish("job_failed", `,"level":"error","email_subject":"Backup failed on nas"`)
	msgs := f.smtp.WaitMessages(t, 1)
	f.waitEmail(1, app.EmailSent)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1 (job_completed has e-mail off by default)", len(msgs))
	}
	if msgs[0].From != "belfry@example.org" || len(msgs[0].To) != 1 || msgs[0].To[0] != "alice@example.org" {
		t.Fatalf("envelope %s → %v", msgs[0].From, msgs[0].To)
	}
	p := parse(t, msgs[0])
	h := p.header
	for name, want := range map[string]string{
		"Subject": "Backup failed on nas", "From": "<belfry@example.org>", "To": "<alice@example.org>",
		"Auto-Submitted": "auto-generated", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if mid := h.Get("Message-ID"); !strings.HasPrefix(mid, "<") || !strings.HasSuffix(mid, "@127.0.0.1>") {
		t.Errorf("Message-ID %q", mid)
	}
	if d, err := h.Date(); err != nil || !d.Equal(f.clock.Now().Truncate(time.Second)) {
		t.Errorf("Date %q (%v), want the clock's %v", h.Get("Date"), err, f.clock.Now())
	}
	link := f.app.URL + "/n/" + id
	for _, want := range []string{"[ERROR] Nightly backup failed", "Disk **full** on `nas`", link, p.unsubscribe, "job_failed"} {
		if !strings.Contains(p.text, want) {
			t.Errorf("text part lacks %q:\n%s", want, p.text)
		}
	}
	for _, want := range []string{"<strong>full</strong>", "<code>nas</code>", `href="` + link + `"`, "style=\"", "error", "job_failed"} {
		if !strings.Contains(p.html, want) {
			t.Errorf("HTML part lacks %q:\n%s", want, p.html)
		}
	}
	if strings.Contains(p.html, "<style") || strings.Contains(p.html, "<link") {
		t.Error("the HTML part has a style sheet; every style must be inline")
	}
	if !strings.HasPrefix(p.unsubscribe, f.app.URL+"/email/unsubscribe?token=") {
		t.Errorf("unsubscribe link %q", p.unsubscribe)
	}

	// The link opens the notification, marked read, for the signed-in user.
	w := f.expect(f.do("GET", "/n/"+id, ""), http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/notifications" {
		t.Errorf("the link redirects to %q", loc)
	}
	if n, err := f.app.Notifications.FindNotification(context.Background(), id); err != nil || !n.IsRead() {
		t.Errorf("the link did not mark the notification read (%v)", err)
	}
	if w := f.app.Do("GET", "/n/"+id, ""); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
		t.Errorf("signed out, the link answers %d → %q, want the login page", w.Code, w.Header().Get("Location"))
	}
}

// TestMarkdownSanitised: the body's HTML is the sanitised Markdown.
func TestMarkdownSanitised(t *testing.T) {
	f := newFixture(t)
	f.expect(f.app.Do("POST", "/api/v1/events", `{"type":"job_failed","title":"x","body":"<script>alert(1)</script>[a](javascript:alert(1))"}`,
		servertest.Bearer(f.token)), http.StatusAccepted)
	p := parse(t, f.smtp.WaitMessages(t, 1)[0])
	if strings.Contains(p.html, "<script") || strings.Contains(p.html, "javascript:") {
		t.Fatalf("unsanitised HTML part:\n%s", p.html)
	}
}

func unsubscribe(f *fixture, link string) *httptest.ResponseRecorder {
	u, err := url.Parse(link)
	if err != nil {
		f.t.Fatal(err)
	}
	// No cookie, no token: the link is the credential (RFC 8058).
	return f.app.Do("POST", u.RequestURI(), "List-Unsubscribe=One-Click", servertest.Header("Content-Type", "application/x-www-form-urlencoded"))
}

func (f *fixture) emailPref(typ string) bool {
	f.t.Helper()
	var prefs map[string]bool
	if err := json.Unmarshal(f.expect(f.do("GET", "/api/notifications/preferences", ""), http.StatusOK).Body.Bytes(), &prefs); err != nil {
		f.t.Fatal(err)
	}
	v, ok := prefs[typ+"_email"]
	if !ok {
		f.t.Fatalf("no %s_email preference in %v", typ, prefs)
	}
	return v
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var env struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil || env.Error.Code == "" {
		t.Fatalf("not the error envelope: %s", w.Body)
	}
	return env.Error.Code
}

func TestUnsubscribe(t *testing.T) {
	f := newFixture(t)
	f.publish("job_failed", "")
	link := parse(t, f.smtp.WaitMessages(t, 1)[0]).unsubscribe
	u, _ := url.Parse(link)

	// GET asks, changes nothing (link scanners follow GETs).
	if w := f.expect(f.app.Do("GET", u.RequestURI(), ""), http.StatusOK); !strings.Contains(w.Body.String(), "<form method=\"post\"") {
		t.Fatalf("GET page: %s", w.Body)
	}
	if !f.emailPref("job_failed") {
		t.Fatal("GET unsubscribed")
	}

	// Tampered: another type in the payload, a changed signature, cut off.
	tok := u.Query().Get("token")
	payload, sig, _ := strings.Cut(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || !strings.Contains(string(raw), "|job_failed|") {
		t.Fatalf("token payload %q (%v)", raw, err)
	}
	other := strings.Replace(link, payload, base64.RawURLEncoding.EncodeToString(
		[]byte(strings.Replace(string(raw), "|job_failed|", "|integrity_alert|", 1))), 1)
	flipped := sig[:len(sig)-1] + map[bool]string{true: "A", false: "B"}[sig[len(sig)-1] != 'A']
	for name, bad := range map[string]string{
		"payload":   other,
		"signature": f.app.URL + "/email/unsubscribe?token=" + payload + "." + flipped,
		"truncated": f.app.URL + "/email/unsubscribe?token=" + payload,
		"empty":     f.app.URL + "/email/unsubscribe?token=",
		"garbage":   f.app.URL + "/email/unsubscribe?token=%FF.%00",
	} {
		w := unsubscribe(f, bad)
		if w.Code != http.StatusBadRequest || errorCode(t, w) != "UNSUBSCRIBE_LINK_INVALID" {
			t.Errorf("%s: %d %s, want 400 UNSUBSCRIBE_LINK_INVALID", name, w.Code, w.Body)
		}
	}
	if !f.emailPref("job_failed") {
		t.Fatal("a tampered link unsubscribed")
	}

	// One click turns job_failed's e-mail off, and nothing else.
	if w := f.expect(unsubscribe(f, link), http.StatusOK); !strings.Contains(w.Body.String(), "Unsubscribed") {
		t.Fatalf("POST: %s", w.Body)
	}
	if f.emailPref("job_failed") || !f.emailPref("integrity_alert") {
		t.Fatal("unsubscribe changed the wrong preferences")
	}
	f.expect(unsubscribe(f, link), http.StatusOK) // again: still off, no error
	f.publish("job_failed", "")
	f.app.Email.SendDue(context.Background())
	if es := f.emails(); len(es) != 1 || len(f.smtp.Messages()) != 1 {
		t.Fatalf("after unsubscribing: %d e-mails, %d messages; want 1 and 1", len(es), len(f.smtp.Messages()))
	}

	// Expired: past email.unsubscribe_ttl (90 days) the link is refused.
	f.clock.Advance(91 * 24 * time.Hour)
	w := unsubscribe(f, link)
	if w.Code != http.StatusBadRequest || errorCode(t, w) != "UNSUBSCRIBE_LINK_EXPIRED" {
		t.Fatalf("expired: %d %s", w.Code, w.Body)
	}
}

func TestRetryOn451(t *testing.T) {
	f := newFixture(t)
	f.smtp.Refuse(451)
	f.publish("job_failed", "")
	e := f.waitEmail(1, app.EmailPending)
	if !strings.Contains(e.LastError, "451") || !e.NextAttemptAt.After(f.clock.Now().Add(29*time.Second)) {
		t.Fatalf("after 451: %+v, want a retry in 30 s or more", e)
	}
	if n := f.app.Email.SendDue(context.Background()); n != 0 {
		t.Fatalf("sent %d before the backoff ended", n)
	}
	f.clock.Advance(40 * time.Second)
	e = f.waitEmail(2, app.EmailSent)
	if e.SentAt == nil || e.LastError != "" {
		t.Fatalf("after the retry: %+v", e)
	}
	if n := len(f.smtp.Messages()); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
	apptest.WantSamples(t, f.app.Metrics.Handler(), map[string]float64{
		`belfry_email_messages_total{outcome="retried"}`: 1, `belfry_email_messages_total{outcome="sent"}`: 1,
		`belfry_email_messages_total{outcome="failed"}`: 0, "belfry_email_queue_depth": 0,
	})
}

func TestGiveUpOn550(t *testing.T) {
	f := newFixture(t)
	f.smtp.Refuse(550)
	f.publish("job_failed", "")
	e := f.waitEmail(1, app.EmailFailed)
	if !strings.Contains(e.LastError, "550") || !strings.Contains(e.LastError, "scripted refusal") {
		t.Fatalf("after 550: %+v, want the server's answer", e)
	}
	f.clock.Advance(24 * time.Hour)
	f.app.Email.SendDue(context.Background())
	if n := len(f.smtp.Messages()); n != 0 {
		t.Fatalf("a refused e-mail was sent again (%d)", n)
	}
	apptest.WantSamples(t, f.app.Metrics.Handler(), map[string]float64{
		`belfry_email_messages_total{outcome="failed"}`: 1, `belfry_email_messages_total{outcome="sent"}`: 0,
		`belfry_email_messages_total{outcome="retried"}`: 0, "belfry_email_queue_depth": 0,
	})
	// The admin sees the reason too.
	admin := f.app.User("root", true)
	w := f.expect(f.app.Do("GET", "/api/email/outbox", "", servertest.Cookie(f.app.Session(admin))), http.StatusOK)
	if !strings.Contains(w.Body.String(), "550") || !strings.Contains(w.Body.String(), f.alice.ID) {
		t.Fatalf("admin outbox: %s", w.Body)
	}
}

// TestRestartMidRetry: an e-mail waiting for its retry survives a restart
// and goes out once.
func TestRestartMidRetry(t *testing.T) {
	f := newFixture(t)
	f.smtp.Refuse(451)
	f.publish("job_failed", "")
	f.waitEmail(1, app.EmailPending)
	if err := f.app.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.start()
	f.cookie = f.app.Session(f.alice)
	f.clock.Advance(time.Minute)
	f.waitEmail(2, app.EmailSent)
	if n := len(f.smtp.Messages()); n != 1 {
		t.Fatalf("%d messages after the restart, want 1", n)
	}
}

// TestSMTPDownDoesNotBlockPublishing: with nothing listening, publishing
// still answers at once and the e-mail waits for a retry.
func TestSMTPDownDoesNotBlockPublishing(t *testing.T) {
	f := newFixture(t)
	if err := f.app.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.app = servertest.New(t, servertest.WithClock(f.clock), servertest.WithConfig(func(c *app.Config) {
		c.Database.Path = f.dbPath
		f.smtp.Configure(&c.Email)
		c.Email.Port = 1 // nothing listens
	}))
	f.cookie = f.app.Session(f.alice)
	f.publish("job_failed", "")
	e := f.waitEmail(1, app.EmailPending)
	if e.LastError == "" {
		t.Fatalf("connection failure not recorded: %+v", e)
	}
}

func TestAddressAndTestEmail(t *testing.T) {
	f := newFixture(t)
	for name, body := range map[string]string{
		"not an address": `{"email":"not an address"}`, "display name": `{"email":"Alice <alice@example.org>"}`,
		"no domain dot": `{"email":"alice@localhost"}`, "two": `{"email":"a@example.org, b@example.org"}`,
		"missing": `{}`, "not a string": `{"email":1}`, "not JSON": `{`,
		"too long": `{"email":"` + strings.Repeat("a", 250) + `@example.org"}`,
	} {
		w := f.do("PUT", "/api/email/address", body)
		if w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", name, w.Code, w.Body)
		} else {
			errorCode(t, w)
		}
	}
	w := f.expect(f.do("POST", "/api/email/test", ""), http.StatusOK)
	var res struct {
		Sent   bool   `json:"sent"`
		Answer string `json:"answer"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || !res.Sent || !strings.Contains(res.Answer, "queued") {
		t.Fatalf("test e-mail: %s", w.Body)
	}
	if m := f.smtp.WaitMessages(t, 1)[0]; m.To[0] != "alice@example.org" || !bytes.Contains(m.Data, []byte("test e-mail")) {
		t.Fatalf("test message: %s", m.Data)
	}
	f.smtp.Refuse(550)
	w = f.expect(f.do("POST", "/api/email/test", ""), http.StatusOK)
	if !strings.Contains(w.Body.String(), `"sent":false`) || !strings.Contains(w.Body.String(), "550") {
		t.Fatalf("refused test e-mail: %s", w.Body)
	}

	// An admin sets another user's address; the user list shows it.
	admin := f.app.User("root", true)
	ac := servertest.Cookie(f.app.Session(admin))
	f.expect(f.app.Do("PUT", "/api/users/"+f.alice.ID+"/email", `{"email":"alice@work.example"}`, ac), http.StatusOK)
	if w := f.expect(f.app.Do("GET", "/api/users", "", ac), http.StatusOK); !strings.Contains(w.Body.String(), `"email":"alice@work.example"`) {
		t.Fatalf("user list: %s", w.Body)
	}
	f.expect(f.app.Do("PUT", "/api/users/"+apptest.NewID()+"/email", `{"email":"x@example.org"}`, ac), http.StatusNotFound)
	f.expect(f.app.Do("PUT", "/api/users/nope/email", `{"email":"x@example.org"}`, ac), http.StatusBadRequest)
	f.expect(f.app.Do("PUT", "/api/users/"+f.alice.ID+"/email", `{"email":"x"}`, ac), http.StatusBadRequest)

	// Without an address the test e-mail is refused.
	f.expect(f.do("PUT", "/api/email/address", `{"email":""}`), http.StatusOK)
	if w := f.do("POST", "/api/email/test", ""); w.Code != http.StatusBadRequest {
		t.Fatalf("test without address: %d %s", w.Code, w.Body)
	}
}

func TestOffUntilConfigured(t *testing.T) {
	a := servertest.New(t)
	u := a.User("bob", false)
	c := servertest.Cookie(a.Session(u))
	a.Do("PUT", "/api/email/address", `{"email":"bob@example.org"}`, c)
	w := a.Do("POST", "/api/email/test", "", c)
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "EMAIL_NOT_CONFIGURED") {
		t.Fatalf("test e-mail while off: %d %s", w.Code, w.Body)
	}
	a.Do("POST", "/api/v1/events", `{"type":"job_failed","title":"x"}`, servertest.Bearer(a.Token(u, app.ScopePublish)))
	if w := a.Do("GET", "/api/email", "", c); !strings.Contains(w.Body.String(), `"enabled":false`) || !strings.Contains(w.Body.String(), `"emails":[]`) {
		t.Fatalf("status while off: %s", w.Body)
	}
}
