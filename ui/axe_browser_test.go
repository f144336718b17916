package ui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/chromedp/chromedp"
)

// axeScript is axe-core from npm (package-lock.json): scripts/ui-assets.sh
// installs it in node_modules for the tests only; it is never copied into
// ui/static, so the binary does not carry it.
const axeScript = "../node_modules/axe-core/axe.min.js"

// axeState is one state of one page the accessibility sweep checks: who is
// signed in ("" nobody), the page, what to do there, and a script that is
// true once the state shows (and stays true while it is checked).
type axeState struct {
	name  string
	user  string
	path  string
	setup func(s *axeSweep, tb *tab)
	ready string
}

// axeMode is one look of a page: its size and colour scheme.
type axeMode struct {
	name string
	w, h int64
	dark bool
}

var axeModes = []axeMode{
	{"desktop light", 1280, 800, false}, {"desktop dark", 1280, 800, true},
	{"phone light", 390, 844, false}, {"phone dark", 390, 844, true},
}

// axeStates is every page and state of the UI, signed out, as a user and as
// an administrator. Adding a state is one line.
var axeStates = []axeState{
	{"login", "", "/login", nil, `document.querySelector('input[name=username]')`},
	{"login error", "", "/login?error=1&username=root", nil, `document.querySelector('.login .alert-error')`},
	{"login expired", "", "/login?expired=1", nil, `document.querySelector('.login .alert-info')`},
	{"inbox empty", "ann", "/notifications", nil, `document.querySelector('#page-items .empty')`},
	{"inbox full", "root", "/notifications", nil, `document.querySelectorAll('#page-items .nitem').length >= 8`},
	{"inbox filtered empty", "root", "/notifications?unread=1&type=weekly_report", nil, `document.querySelector('#page-items .empty')`},
	{"inbox searched", "root", "/notifications?q=nas-01&read=all", nil, `document.querySelectorAll('#page-items .nitem').length >= 2 && document.getElementById('filter-q').value === 'nas-01'`},
	{"inbox filtered by level and date", "root", "/notifications?level=error&before=2030-01-01", nil, `document.querySelectorAll('#page-items .nitem').length >= 2`},
	{"bell panel open", "root", "/notifications", clickThen(`#bell-button`), `document.querySelectorAll('#panel-items .nitem').length >= 8`},
	{"account menu open", "root", "/notifications", clickThen(`.usermenu summary`), `document.querySelector('.usermenu').open`},
	{"escalation open", "root", "/notifications", clickThen(`.nitem details.nescalation summary`), `document.querySelector('.nitem details.nescalation[open] .nesc-next')`},
	{"mute this open", "root", "/notifications", clickThen(`.nmute summary`), `document.querySelector('.nmute[open] .nmute-form')`},
	{"toast showing", "root", "/notifications", (*axeSweep).showToast, `document.querySelector('#toasts .toast:not(.toast-summary)')`},
	{"burst summary", "root", "/notifications", (*axeSweep).showBurst, `document.querySelector('#toasts .toast-summary') && document.querySelector('#main').textContent.includes('Sync 7 of 7 done')`},
	{"delete-read confirm", "root", "/notifications", clickThen(`#delete-read`), `document.getElementById('confirm').open`},
	{"preferences", "root", "/preferences", nil, `document.getElementById('quiet-card') && document.getElementById('digests-card')`},
	{"preferences reset", "root", "/preferences", (*axeSweep).resetPreferences, `document.querySelector('#pref-table .alert-success, #flash .alert-success') && document.querySelector('#pref-rows tr')`},
	{"e-mail test sent", "root", "/preferences", (*axeSweep).testEmail, `(document.querySelector('#email-card .alert-success') || {textContent: ''}).textContent.includes('The server answered')`},
	{"quiet hours saved", "root", "/preferences", (*axeSweep).saveQuietHours, `document.querySelector('#quiet-card .form-result .alert')`},
	{"mutes", "root", "/mutes", nil, `document.querySelector('#mute-form')`},
	{"webhooks empty", "ann", "/webhooks", nil, `document.querySelector('#webhook-list .empty')`},
	{"webhooks list", "root", "/webhooks", nil, `document.querySelector('#webhook-list .hook')`},
	{"webhook form ntfy", "root", "/webhooks", (*axeSweep).ntfyForm, `document.querySelector('#webhook-form input[name=auth_username]').offsetParent`},
	{"webhook edit and log", "root", "/webhooks", (*axeSweep).editWebhook, `!document.querySelector('.hook-edit').hidden && document.querySelector('.hook-log[open] .delivery')`},
	{"heartbeats", "root", "/heartbeats", nil, `document.querySelector('#heartbeat-list tbody tr')`},
	{"heartbeat history", "root", "/heartbeats", clickThen(`.hb-history summary`), `document.querySelector('.hb-history[open]') && !document.querySelector('.hb-history .loading, .hb-history div:empty')`},
	{"api tokens", "root", "/tokens", nil, `document.querySelector('#token-list tbody tr')`},
	{"api token created", "root", "/tokens", (*axeSweep).createToken, `document.getElementById('new-token')`},
	{"token hooks editor", "root", "/tokens", clickThen(`#token-list .row-actions .btn`), `document.querySelector('#mapping-editor .mapping-form')`},
	{"users", "root", "/admin/users", nil, `document.querySelectorAll('#user-list tbody tr').length >= 2`},
	{"users reset password", "root", "/admin/users", clickThen(`#user-list .inline-form summary`), `document.querySelector('#user-list .inline-form[open]')`},
	{"routing", "root", "/admin/routing", nil, `document.querySelector('#route-list tbody tr')`},
	{"channels", "root", "/channels", nil, `document.querySelector('#channel-list li')`},
	{"channel", "root", "/channels/{channel}", nil, `document.body.dataset.chan === 'live' && document.querySelector('#messages .msg')`},
	{"channel settings", "root", "/channels/{channel}", clickThen(`.chan-settings summary`), `document.querySelector('.chan-settings[open]')`},
	{"account", "root", "/account", nil, `document.querySelector('main form')`},
	{"scheduled empty", "ann", "/scheduled", nil, `document.querySelector('#scheduled-list .empty')`},
	{"scheduled", "root", "/scheduled", nil, `document.querySelector('#scheduled-list tbody tr')`},
	{"password banner", "admin", "/notifications", nil, `document.querySelector('#password-banner .banner')`},
	{"heartbeat created", "root", "/heartbeats", (*axeSweep).createHeartbeat, `document.getElementById('new-ping-url')`},
	{"user created", "root", "/admin/users", (*axeSweep).createUser, `document.querySelector('#user-result .alert-success')`},
	{"route edit", "root", "/admin/routing", clickThen(`#route-list .inline-form summary`), `document.querySelector('#route-list .inline-form[open]')`},
	{"channel member menu", "root", "/channels/{channel}", clickThen(`.member-mod summary`), `document.querySelector('.member-mod[open]')`},
	{"not found", "root", "/no/such/page", nil, `document.querySelector('.error-page h1')`},
	{"not allowed", "ann", "/admin/users", nil, `document.querySelector('.error-page h1')`},
	{"offline", "bob", "/notifications", (*axeSweep).goOffline, `!document.getElementById('conn').hidden`},
	// Last, as it deletes root's read notifications.
	{"delete-read done", "root", "/notifications", (*axeSweep).deleteRead, `document.querySelector('#flash .alert-success')`},
}

// axeSweep is the Belfry the sweep runs against, with one tab per person.
type axeSweep struct {
	t       *testing.T
	b       *belfry
	root    *app.User
	tok     string
	channel string
	tabs    map[string]*tab
	axe     string
}

// clickThen is a setup that clicks the element sel selects.
func clickThen(sel string) func(*axeSweep, *tab) {
	return func(_ *axeSweep, tb *tab) { tb.click(sel) }
}

// showToast publishes an error and keeps its toast on screen by holding the
// mouse over it.
func (s *axeSweep) showToast(tb *tab) {
	s.b.publish(s.tok, map[string]any{"type": "job_failed", "level": "error", "title": "Certificate renewal failed",
		"body": "ACME challenge timed out after **3 attempts**.", "target_url": "https://proxy.home.arpa/certs"})
	tb.until("the toast", `document.querySelector('#toasts .toast')`)
	hover(tb, `#toasts .toast`)
}

// showBurst publishes more notifications at once than the toast stack
// holds, and holds the mouse over the summary toast.
func (s *axeSweep) showBurst(tb *tab) {
	for i := 1; i <= 7; i++ {
		s.b.publish(s.tok, map[string]any{"type": "job_completed", "title": fmt.Sprintf("Sync %d of 7 done", i)})
	}
	tb.until("the summary toast", `document.querySelector('#toasts .toast-summary')`)
	hover(tb, `#toasts .toast-summary`)
}

// hover moves the mouse to the middle of the element sel selects.
func hover(tb *tab, sel string) {
	tb.t.Helper()
	xy := eval[[]float64](tb, `(function () { var r = document.querySelector(`+jsString(sel)+`).getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`)
	tb.do(chromedp.MouseEvent("mouseMoved", xy[0], xy[1]))
}

func (s *axeSweep) ntfyForm(tb *tab) {
	tb.do(chromedp.SetValue(chromedp.CSS(`#webhook-form select[name=kind]`), "ntfy"))
	tb.click(`#webhook-form input[name=auth][value=basic]`)
}

func (s *axeSweep) editWebhook(tb *tab) {
	tb.click(`.hook [data-edit-toggle]`)
	tb.click(`.hook-actions button[hx-post$="/test"]`)
	tb.until("the delivery log", `document.querySelector('.hook-log[open] .delivery')`)
}

func (s *axeSweep) createToken(tb *tab) {
	tb.do(chromedp.SendKeys(chromedp.CSS(`#token-form input[name=name]`), "backup script on nas-01"))
	tb.click(`#token-form button[type=submit]`)
}

func (s *axeSweep) createHeartbeat(tb *tab) {
	tb.do(chromedp.SendKeys(chromedp.CSS(`#heartbeat-form input[name=name]`), "Weekly scrub"))
	tb.click(`#heartbeat-form button[type=submit]`)
}

func (s *axeSweep) createUser(tb *tab) {
	tb.do(chromedp.SendKeys(chromedp.CSS(`#user-form input[name=username]`), fmt.Sprintf("user%d", time.Now().UnixNano()%1e6)),
		chromedp.SendKeys(chromedp.CSS(`#user-form input[name=password]`), testPassword))
	tb.click(`#user-form button[type=submit]`)
}

func (s *axeSweep) deleteRead(tb *tab) {
	tb.click(`#delete-read`)
	tb.until("the confirmation", `document.getElementById('confirm').open`)
	tb.click(`#confirm-ok`)
}

func (s *axeSweep) resetPreferences(tb *tab) {
	tb.click(`.page-head .actions button[hx-delete="/ui/preferences"]`)
	tb.until("the confirmation", `document.getElementById('confirm').open`)
	tb.click(`#confirm-ok`)
}

// testEmail saves an address and sends the test e-mail through the SMTP
// server of the sweep.
func (s *axeSweep) testEmail(tb *tab) {
	tb.do(chromedp.SetValue(chromedp.CSS(`#email-card input[name=email]`), "root@example.org"))
	tb.click(`#email-card button[type=submit]`)
	tb.until("the address saved", `document.querySelector('#email-card .alert-success') && !document.getElementById('email-test').disabled &&
		!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling') && document.getElementById('email-test')['htmx-internal-data'] !== undefined`)
	tb.click(`#email-test`)
}

func (s *axeSweep) saveQuietHours(tb *tab) {
	tb.do(chromedp.SetValue(chromedp.CSS(`#quiet-card input[name=timezone]`), "Europe/Paris"),
		chromedp.SetValue(chromedp.CSS(`#quiet-card input[name=start-0]`), "22:00"),
		chromedp.SetValue(chromedp.CSS(`#quiet-card input[name=end-0]`), "07:00"))
	tb.click(`#quiet-card input[name=day-0]`)
	tb.click(`#quiet-card button[type=submit]`)
}

// goOffline cuts the tab's socket and refuses new ones, so the page says
// it is offline; the next state's opening lets sockets in again.
func (s *axeSweep) goOffline(tb *tab) {
	bob, err := s.b.Users.FindUserByName(context.Background(), "bob")
	if err != nil {
		s.t.Fatal(err)
	}
	s.b.BlockSockets.Store(true)
	s.b.Hub.Revoke(bob.ID, "")
}

// newAxeSweep starts a Belfry with something on every page: an admin with a
// full inbox, a webhook, a check, a token, a route, a channel and a mute,
// and e-mail through a real SMTP server;
// users with nothing.
func newAxeSweep(t *testing.T) *axeSweep {
	src, err := os.ReadFile(filepath.FromSlash(axeScript))
	if err != nil {
		t.Fatalf("axe-core is missing (run scripts/ui-assets.sh, which installs package-lock.json): %v", err)
	}
	smtpd := apptest.NewSMTP(t)
	b := newBelfryWith(t, func(c *app.Config) { smtpd.Configure(&c.Email) })
	s := &axeSweep{t: t, b: b, root: b.user("root", true), tabs: map[string]*tab{}, axe: string(src)}
	ann := b.user("ann", false)
	b.user("bob", false)
	s.tok = b.token(s.root)
	b.seedInbox(s.root)
	b.publish(s.tok, map[string]any{"type": "job_failed", "level": "warning", "title": "Device nas-01 is offline",
		"object": map[string]any{"app_label": "config", "model_name": "device", "object_id": "nas-01"}})
	b.publish(s.tok, map[string]any{"type": "job_completed", "title": "Reminder: rotate the backup disks", "delay": "48h"})
	if err := b.Mutes.CreateMute(context.Background(), &app.Mute{UserID: s.root.ID,
		Object: app.ObjectRef{AppLabel: "config", ModelName: "device", ObjectID: "router-02"}, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	ch := b.channel(s.root, "homelab", ann)
	b.post(ann, ch, "The UPS switched to battery at 03:12.")
	b.post(s.root, ch, "Thanks, I'll **check** it.")
	s.channel = ch.ID
	recv := newReceiver(t)
	c := b.login("root")
	for _, f := range []struct {
		path string
		form url.Values
	}{
		{"/ui/webhooks", url.Values{"kind": {"generic"}, "name": {"CI server"}, "url": {recv.URL + "/belfry"}, "events": {"job.failed"}, "auth": {"none"}}},
		{"/ui/heartbeats", url.Values{"name": {"Nightly backup"}, "period": {"86400"}, "grace": {"3600"}, "type": {"job_failed"}, "level": {"error"}}},
		{"/ui/routing", url.Values{"topic": {"backups"}, "users": {"ann", "root"}}},
		{"/ui/escalations", url.Values{"type": {"job_failed"}, "min_level": {"error"}, "delay-0": {"30"}, "action-0": {"repeat"}}},
	} {
		if st, body := c.send(http.MethodPost, f.path, f.form); st != http.StatusOK {
			t.Fatalf("POST %s: %d %s", f.path, st, body)
		}
	}
	// An error the rule above escalates: the inbox item shows its ladder.
	b.publish(s.tok, map[string]any{"type": "job_failed", "level": "error", "title": "Offsite sync failed"})
	return s
}

// tab returns the tab of user, signed in on first use.
func (s *axeSweep) tab(user string) *tab {
	if tb, ok := s.tabs[user]; ok {
		return tb
	}
	var tb *tab
	switch user {
	case "":
		tb = s.b.openTab(s.t)
	case "admin": // the first admin, with the printed password
		tb = s.b.openTab(s.t)
		tb.loginAs("admin", s.b.AdminPassword)
	default:
		tb = s.b.signedInTab(s.t, user)
	}
	s.tabs[user] = tb
	return tb
}

// axeViolation is one finding of axe on one state in one mode.
type axeViolation struct {
	Rule   string `json:"rule"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Target string `json:"target"`
}

// axeRunJS runs axe on the whole page and gives every node of every
// violation, one per line of the result.
const axeRunJS = `axe.run(document, { resultTypes: ['violations', 'incomplete'] }).then(function (r) {
	var out = [];
	r.violations.forEach(function (v) { v.nodes.forEach(function (n) {
		out.push({ rule: v.id, impact: n.impact || v.impact || '', help: v.help, target: n.target.map(String).join(' ') });
	}); });
	r.incomplete.forEach(function (v) { v.nodes.forEach(function (n) {
		out.push({ rule: v.id, impact: 'incomplete', help: (n.any[0] || {}).message || v.help, target: n.target.map(String).join(' ') });
	}); });
	return JSON.stringify(out);
})`

// check opens the state, then runs axe on it in every mode.
func (s *axeSweep) check(st axeState) map[string][]axeViolation {
	tb := s.tab(st.user)
	path := strings.ReplaceAll(st.path, "{channel}", s.channel)
	open := func() {
		s.b.BlockSockets.Store(false) // what "offline" did
		tb.viewport(1280, 800, false)
		if st.user == "" {
			tb.do(chromedp.Navigate(s.b.URL + path))
		} else {
			tb.navigate(path)
		}
		if st.setup != nil {
			st.setup(s, tb)
		}
		tb.until(st.name, `!!(`+st.ready+`)`)
		tb.idle()
	}
	open()
	found := map[string][]axeViolation{}
	for _, m := range axeModes {
		tb.viewport(m.w, m.h, m.dark)
		if !eval[bool](tb, `!!(`+st.ready+`)`) {
			open()
			tb.viewport(m.w, m.h, m.dark)
		}
		// Let the new size and colours settle (transitions end) first.
		await[chromedp.Void](tb, `new Promise(function (r) { requestAnimationFrame(function () { setTimeout(r, 250); }); })`)
		// A list that reloads meanwhile is dimmed while busy: let it end.
		tb.idle()
		tb.until("no element busy", `document.querySelector('[aria-busy="true"]') === null`)
		if !eval[bool](tb, `typeof window.axe === 'object'`) {
			eval[chromedp.Void](tb, s.axe+"\n;0")
		}
		var vs []axeViolation
		if err := json.Unmarshal([]byte(await[string](tb, axeRunJS)), &vs); err != nil {
			s.t.Fatalf("%s [%s]: axe result: %v", st.name, m.name, err)
		}
		found[m.name] = vs
	}
	return found
}

// TestBrowserAxeSweep runs axe-core on every page and state of the UI,
// light and dark, desktop and phone, and fails on every critical, serious
// or moderate violation, and on every check axe could not decide
// (incomplete) but contrast, naming the rule, its impact, the element and
// the state. Minor violations and undecided contrast (text under an open
// pop-over, say) are logged, with a table of the counts per state.
func TestBrowserAxeSweep(t *testing.T) {
	start := time.Now()
	s := newAxeSweep(t)
	table := []string{fmt.Sprintf("%-22s %s", "state", strings.Join(modeNames(), " | "))}
	total := 0
	for _, st := range axeStates {
		found := s.check(st)
		counts := make([]string, 0, len(axeModes))
		for _, m := range axeModes {
			failing, minor, undecided := 0, 0, 0
			for _, v := range found[m.name] {
				line := fmt.Sprintf("%s [%s]: %s (%s) at %s: %s", st.name, m.name, v.Rule, v.Impact, v.Target, v.Help)
				switch {
				case v.Impact == "minor":
					minor++
					t.Log(line)
				case v.Impact == "incomplete" && v.Rule == "color-contrast":
					undecided++
					t.Log(line)
				default:
					failing++
					t.Error(line)
				}
			}
			total += failing
			counts = append(counts, fmt.Sprintf("%d/%d/%d", failing, minor, undecided))
		}
		table = append(table, fmt.Sprintf("%-22s %s", st.name, strings.Join(counts, "  ")))
	}
	t.Logf("axe per state, failing (critical, serious, moderate, undecided but contrast) / minor / undecided contrast:\n%s\n%d states × %d modes, %d failing violations, in %s",
		strings.Join(table, "\n"), len(axeStates), len(axeModes), total, time.Since(start).Round(time.Millisecond))
}

func modeNames() []string {
	out := make([]string, len(axeModes))
	for i, m := range axeModes {
		out[i] = m.name
	}
	return out
}
