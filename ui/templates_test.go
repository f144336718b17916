package ui

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock/clocktest"
)

// hostile is user data that would run script if a template forgot to escape.
const hostile = `<img src=x onerror=alert(1)>`

// escaped is how hostile must appear in HTML text and attributes.
const escaped = `&lt;img src=x onerror=alert(1)&gt;`

// hostileJSON is hostile inside a JSON string.
const hostileJSON = `\u003cimg src=x onerror=alert(1)\u003e`

func newTestUI(t *testing.T) *UI {
	t.Helper()
	types, err := app.NewTypes([]app.NotificationType{{Name: "backup_done", InApp: true, Description: hostile}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := New(Deps{Types: types, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Clock: clocktest.At(time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// hostileSamples returns every kind of data the templates render, each
// carrying hostile text where users can put text.
func hostileSamples() (notes []*app.Notification, usr *app.User) {
	at := time.Date(2026, 3, 30, 11, 55, 0, 0, time.UTC)
	read := at.Add(time.Minute)
	notes = []*app.Notification{
		{ID: "01900000-0000-7000-8000-000000000001", Type: "job_failed", Level: app.LevelError, Title: hostile,
			Body: hostile + " **bold** <script>alert(1)</script> [x](javascript:alert(1))",
			Data: json.RawMessage(`{"tags":["` + hostileJSON + `"],"actions":[{"action":"view","label":"` + hostileJSON + `","url":"javascript:alert(1)"},` +
				`{"action":"view","label":"` + hostileJSON + `","url":"https://example.com/?q=` + hostileJSON + `"}]}`),
			TargetURL: "javascript:alert(1)", CreatedAt: at, Object: &app.ObjectRef{AppLabel: hostile, ModelName: hostile, ObjectID: hostile}},
		{ID: "01900000-0000-7000-8000-000000000002", Type: "job_completed", Level: app.LevelWarning, Title: "Done " + hostile,
			TargetURL: "https://example.com/?q=" + hostile, ReadAt: &read, CreatedAt: at.Add(-30 * time.Hour)},
		{ID: "01900000-0000-7000-8000-000000000003", Type: "weekly_report", Level: app.LevelInfo, Title: "Report",
			TargetURL: "/reports/1", CreatedAt: at.Add(-400 * 24 * time.Hour)},
	}
	return notes, &app.User{ID: "01900000-0000-7000-8000-0000000000aa", Username: hostile, IsAdmin: true, CreatedAt: at}
}

// renderCase is one template rendered with data.
type renderCase struct {
	set, name string
	data      any
}

func renderCases(u *UI) []renderCase {
	notes, usr := hostileSamples()
	other := &app.User{ID: "01900000-0000-7000-8000-0000000000bb", Username: "bob", CreatedAt: notes[0].CreatedAt}
	temporary := &app.User{ID: "01900000-0000-7000-8000-0000000000cc", Username: hostile, TemporaryPassword: true, CreatedAt: notes[0].CreatedAt}
	used := notes[0].CreatedAt
	till := notes[0].CreatedAt.Add(time.Hour)
	tokens := []*app.Token{
		{ID: "t1", Name: hostile, Scope: app.ScopePublish, CreatedAt: notes[0].CreatedAt, LastUsedAt: &used},
		{ID: "t2", Scope: app.ScopeAdmin, CreatedAt: notes[0].CreatedAt},
	}
	mutes := []*app.Mute{
		{ID: "m1", Object: app.ObjectRef{AppLabel: hostile, ModelName: hostile, ObjectID: hostile}, ValidTill: &till},
		{ID: "m2", Object: app.ObjectRef{AppLabel: "config", ModelName: "device", ObjectID: "42"}},
	}
	list := listView{Items: notes, More: "/ui/notifications?view=page&cursor=1_x", Badge: badgeView{Count: 120, OOB: true}}
	empty := listView{Filtered: true, Badge: badgeView{OOB: true}}
	prefs := preferencesPage{Rows: []prefRow{
		{Name: "job_failed", Label: "Job failed", Description: hostile, InApp: true, Toast: true, Saved: "toast"},
		{Name: "backup_done", Label: hostile, InApp: false, Saved: "in-app"},
		{Name: "integrity_alert", Label: "Integrity alert", InApp: true, Email: true, Mail: true, Saved: "email"},
	}, Email: emailCard{Enabled: true, Address: hostile, Result: &alertView{Kind: "error", Message: hostile}}}
	mutesV := mutesPage{Mutes: mutes, Durations: muteDurations, Created: mutes[0]}
	tokensV := tokensPage{Tokens: tokens, IsAdmin: true, Secret: "blf_" + hostile, Created: tokens[0]}
	usersV := usersPage{Users: []*app.User{usr, other}, Me: usr.ID, Created: usr}
	page := func(set, title string, content any) renderCase {
		return renderCase{set, "layout", layoutView{Title: title, User: usr, Nav: navFor(usr, "/"+set), Unread: 7, Content: content}}
	}
	cases := []renderCase{
		page("notifications", hostile, notificationsPage{List: list, Types: u.d.Types.Names(), Levels: []app.Level{app.LevelWarning},
			Filter: app.NotificationFilter{UnreadOnly: true, Type: "job_failed", Search: hostile, ServiceID: hostile, Project: hostile, Level: app.LevelWarning}, Before: hostile}),
		page("notifications", "Notifications", notificationsPage{List: empty, Types: u.d.Types.Names()}),
		{"login", "layout", layoutView{Title: "Sign in", Content: loginPage{Failed: true, Next: "/x?" + hostile, Hint: hostile}}},
		{"login", "layout", layoutView{Title: "Sign in", Content: loginPage{Refused: hostile, Next: "/x"}}},
		page("error", "Oops", errorView{Heading: hostile, Message: hostile}),
		page("preferences", "Preferences", prefs),
		page("mutes", "Mutes", mutesV),
		page("mutes", "Mutes", mutesPage{Durations: muteDurations}),
		page("tokens", "API tokens", tokensV),
		page("tokens", "API tokens", tokensPage{}),
		page("users", "Users", usersV),
		{"", "badge", badgeView{Count: 0}},
		{"", "badge", badgeView{Count: 5, OOB: true}},
		{"", "alert", alertView{Kind: "error", Message: hostile}},
		{"", "alert", alertView{Kind: "success", Message: hostile, AutoHide: true}},
		{"", "flash_oob", alertView{Kind: "info", Message: hostile}},
		{"", "notification_items", list},
		{"", "notification_items", empty},
		{"", "notification_items", listView{Continued: true}},
		{"", "notification_item", itemView{Notification: notes[0]}},
		{"", "notification_item", itemView{Notification: notes[0], Mute: mutes[0]}},
		{"", "notification_items", listView{Items: notes, Muted: map[app.ObjectRef]*app.Mute{*notes[0].Object: mutes[1]}}},
		{"", "logo", nil},
		{"preferences", "pref_rows", prefs},
		{"preferences", "pref_table", prefs},
		{"preferences", "pref_row", prefs.Rows[0]},
		{"preferences", "email_card", emailCard{Result: &alertView{Kind: "success", Message: hostile}}},
		{"preferences", "digests_card", digestsCard{Result: &alertView{Kind: "error", Message: hostile},
			Rows: []digestRow{{Type: hostile, Label: hostile, Mode: "daily", At: hostile, Choices: []digestChoice{{hostile, hostile}, {"daily", "daily at…"}}}}}},
		{"preferences", "quiet_card", quietCard{Timezone: hostile, Breakthrough: hostile, Result: &alertView{Kind: "error", Message: hostile},
			Rows: newQuietCard(app.QuietHours{Windows: []app.QuietWindow{{Days: []string{"fri", hostile}, Start: hostile, End: "07:00"}}}).Rows}},
		{"mutes", "mute_created", mutesV},
		{"mutes", "mute_list", mutesV},
		{"mutes", "mute_list_oob", mutesV},
		{"mutes", "mute_rows", mutesV},
		{"tokens", "token_created", tokensV},
		{"tokens", "token_list", tokensV},
		{"tokens", "token_rows", tokensV},
		page("account", "Account", accountPage{User: usr}),
		{"account", "layout", layoutView{Title: "Account", User: temporary, Nav: navFor(temporary, "/account"), Content: accountPage{User: temporary}}},
		{"account", "password_changed", nil},
		{"", "mute_this_done", muteThisView{Mute: mutes[0]}},
		{"", "mute_this_done", muteThisView{Mute: mutes[1]}},
		{"", "muted", muteThisView{Mute: mutes[0]}},
		{"users", "user_created", usersV},
		{"users", "user_list", usersV},
		{"users", "user_rows", usersV},
	}
	cases = append(append(cases, webhookRenderCases(usr)...), channelRenderCases(usr)...)
	cases = append(append(cases, heartbeatRenderCases(usr)...), escalationRenderCases(usr, notes[0])...)
	cases = append(cases, scheduledRenderCases(usr)...)
	return append(append(cases, routingRenderCases(usr)...), tokenMappingRenderCases(tokens[0])...)
}

// TestTemplatesRenderEverything renders every template of every set with
// hostile data: each renders, and the hostile text only ever appears
// escaped.
func TestTemplatesRenderEverything(t *testing.T) {
	u := newTestUI(t)
	covered := map[string]bool{}
	for _, rc := range renderCases(u) {
		out, err := u.tmpl.execute(rc.set, rc.name, rc.data)
		if err != nil {
			t.Errorf("%s/%s: %v", rc.set, rc.name, err)
			continue
		}
		covered[rc.set+"/"+rc.name] = true
		if rc.name == "layout" {
			covered["/"+rc.name] = true
		}
		html := string(out)
		if strings.Contains(html, "<img") || strings.Contains(html, "<script>") || strings.Contains(strings.ToLower(html), `href="javascript:`) {
			t.Errorf("%s/%s: unescaped user data:\n%s", rc.set, rc.name, html)
		}
	}
	// Every template of every set is rendered by a case above (shared ones
	// through the shared set or any page set).
	for _, set := range append([]string{""}, slices.Collect(maps.Keys(u.tmpl.pages))...) {
		tmpl, err := u.tmpl.set(set)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tmpl.Templates() {
			name := tt.Name()
			if name == "" || strings.HasSuffix(name, ".html") || name == "content" {
				continue
			}
			if !covered[set+"/"+name] && !covered["/"+name] {
				t.Errorf("template %q of set %q is not rendered by this test", name, set)
			}
		}
	}
}

func TestTemplatesEscapeHostileText(t *testing.T) {
	u := newTestUI(t)
	notes, _ := hostileSamples()
	out, err := u.tmpl.execute("", "notification_item", itemView{Notification: notes[0]})
	if err != nil {
		t.Fatal(err)
	}
	html := string(out)
	if !strings.Contains(html, `class="ntitle" data-mark-read>`+escaped) {
		t.Errorf("title not rendered as escaped text:\n%s", html)
	}
	if !strings.Contains(html, `aria-label="Delete notification: `+escaped+`"`) {
		t.Errorf("title not escaped in the attribute:\n%s", html)
	}
	if !strings.Contains(html, `<strong>bold</strong>`) {
		t.Errorf("Markdown body not rendered:\n%s", html)
	}
	if !strings.Contains(html, `href="#ZgotmplZ"`) {
		t.Errorf("javascript: target URL not neutralised:\n%s", html)
	}
}

func TestTemplatesLayoutCarriesBadgeAndAssets(t *testing.T) {
	u := newTestUI(t)
	usr := &app.User{ID: "u1", Username: "ann"}
	inline := regexp.MustCompile(`\son[a-z]+=|\shx-on|\sstyle=|<script>`)
	for _, tc := range []struct {
		unread int
		badge  string
	}{
		{0, `data-count="0" hidden>0</span>`},
		{3, `data-count="3">3</span>`},
		{150, `data-count="150">99&#43;</span>`},
	} {
		out, err := u.tmpl.execute("notifications", "layout", layoutView{Title: "N", User: usr, Unread: tc.unread,
			Content: notificationsPage{Types: u.d.Types.Names()}})
		if err != nil {
			t.Fatal(err)
		}
		html := string(out)
		if !strings.Contains(html, tc.badge) {
			t.Errorf("unread %d: badge %q missing in\n%s", tc.unread, tc.badge, html[:min(len(html), 4000)])
		}
		for _, name := range []string{"app.css", "app.js", "live.js", "vendor/htmx.min.js", "vendor/ws.min.js"} {
			if !strings.Contains(html, `"`+u.assets.URL(name)+`"`) {
				t.Errorf("asset %s not linked by its hashed URL", name)
			}
		}
		if !strings.Contains(html, `"allowEval":false`) || !strings.Contains(html, `"includeIndicatorStyles":false`) {
			t.Error("htmx-config does not turn eval and indicator styles off")
		}
		if m := inline.FindString(html); m != "" {
			t.Errorf("inline script, handler or style in the layout: %q", m)
		}
	}
}

func TestBadgeTextAndAgo(t *testing.T) {
	for n, want := range map[int]string{0: "0", 1: "1", 99: "99", 100: "99+", 5000: "99+"} {
		if got := badgeText(n); got != want {
			t.Errorf("badgeText(%d) = %q, want %q", n, got, want)
		}
	}
	now := time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		10 * time.Second: "just now", 5 * time.Minute: "5 min ago", 3 * time.Hour: "3 h ago",
		30 * time.Hour: "yesterday", 4 * 24 * time.Hour: "4 days ago", 20 * 24 * time.Hour: "10 Mar",
		400 * 24 * time.Hour: "23 Feb 2025",
	} {
		if got := ago(now, now.Add(-d)); got != want {
			t.Errorf("ago(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestNavigation(t *testing.T) {
	admin := &app.User{IsAdmin: true}
	labels := func(links []navLink) (out []string) {
		for _, l := range links {
			out = append(out, l.Label)
		}
		return out
	}
	if got := labels(navFor(&app.User{}, "/")); slices.Contains(got, "Users") || !slices.Contains(got, "Notifications") {
		t.Errorf("navigation of a user = %v", got)
	}
	links := navFor(admin, "/admin/users")
	if !slices.Contains(labels(links), "Users") {
		t.Errorf("navigation of an admin = %v", labels(links))
	}
	for _, l := range links {
		if l.Active != (l.Path == "/admin/users") {
			t.Errorf("%s active = %v", l.Path, l.Active)
		}
	}

	// A page's own scripts load on its documents and nowhere else.
	saved := navigation
	t.Cleanup(func() { navigation = saved })
	navigation = slices.Insert(slices.Clone(saved), 5, page{Path: "/reports", Label: "Reports", Icon: "users", Scripts: []string{"app.js"}})
	if got := scriptsFor("/reports/42"); !slices.Equal(got, []string{"app.js"}) {
		t.Errorf("scripts of /reports/42 = %v", got)
	}
	if got := scriptsFor("/mutes"); got != nil {
		t.Errorf("scripts of /mutes = %v", got)
	}
	if got := scriptsFor("/notifications"); !slices.Equal(got, []string{"inbox.js"}) {
		t.Errorf("scripts of /notifications = %v", got)
	}
	if got := labels(navFor(&app.User{}, "/")); !slices.Equal(got, []string{"Notifications", "Channels", "Preferences", "Mutes", "Heartbeats", "Reports", "Scheduled", "Webhooks", "API tokens"}) {
		t.Errorf("navigation order = %v", got)
	}
	u := newTestUI(t)
	out, err := u.tmpl.execute("notifications", "layout", layoutView{Title: "N", User: admin, Scripts: scriptsFor("/reports"),
		Content: notificationsPage{Types: u.d.Types.Names()}})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(out), `<script src="`+u.assets.URL("app.js")+`" defer></script>`); n != 2 {
		t.Errorf("app.js loaded %d times, want 2 (once as the page's script)", n)
	}
}

// TestTemplatesMarkExternalLinks checks that a notification's link opens
// in a new tab unless it is a path on this site: "//host/x" leaves Belfry
// as surely as "https://host/x" does.
func TestTemplatesMarkExternalLinks(t *testing.T) {
	u := newTestUI(t)
	for link, external := range map[string]bool{
		"https://example.com/x": true, "HTTP://example.com/x": true, "//evil.example/x": true,
		"/\\evil.example": true, "/reports/1": false, "/notifications?x=1": false,
	} {
		out, err := u.tmpl.execute("", "notification_item", itemView{Notification: &app.Notification{ID: "01900000-0000-7000-8000-000000000009",
			Type: "job_failed", Level: app.LevelInfo, Title: "t", TargetURL: link, CreatedAt: time.Now()}})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(out), `target="_blank" rel="noopener noreferrer"`); got != external {
			t.Errorf("link %q: opens in a new tab %v, want %v", link, got, external)
		}
	}
}

// A page's set is built on its first render, which may come after the
// shared set has rendered (html/template clones only a set that has not
// run) and on several requests at once.
func TestTemplatesPageSetsBuildAfterSharedRenders(t *testing.T) {
	u := newTestUI(t)
	if _, err := u.tmpl.execute("", "notification_item", itemView{Notification: &app.Notification{
		ID: "01900000-0000-7000-8000-000000000001", Title: "t", Level: app.LevelInfo, CreatedAt: time.Unix(0, 0)}}); err != nil {
		t.Fatal(err)
	}
	usr := &app.User{ID: "u1", Username: "ann"}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			out, err := u.tmpl.execute("notifications", "layout", layoutView{Title: "N", User: usr,
				Content: notificationsPage{Types: u.d.Types.Names()}})
			if err == nil && !strings.Contains(string(out), `data-count="0"`) {
				err = errors.New("the page has no badge")
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := u.tmpl.execute("no-such-page", "layout", nil); err == nil {
		t.Fatal("an unknown page set rendered")
	}
}
