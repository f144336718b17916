package ntfy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
)

// TestPublishSimple is the first example of ntfy's publish docs:
//
//	curl -d "Backup successful 😀" ntfy.sh/mytopic
//
// It lands in the token owner's inbox as a plain-text message of the
// built-in type, titled by its only line, with the topic as service_id.
func TestPublishSimple(t *testing.T) {
	h := newHarness(t)
	a, n := h.published(req{method: "POST", path: "/mytopic", body: "Backup successful 😀"})
	if a.Topic != "mytopic" || a.Message != "Backup successful 😀" || a.Title != "" || a.Priority != 0 || len(a.Tags) != 0 {
		t.Errorf("answer %+v", a)
	}
	if n.UserID != h.alice.ID || n.Type != app.MessageType || n.Level != app.LevelInfo || n.Title != "Backup successful 😀" ||
		n.Body != "" || n.Format != app.FormatText || n.ServiceID != "mytopic" || n.TargetURL != "" {
		t.Errorf("notification %+v", n)
	}
	if d := data(t, n); d["source"] != "ntfy" || d["topic"] != "mytopic" || len(d) != 2 {
		t.Errorf("data %v", d)
	}
}

// TestPublishTitlePriorityTags is the docs' second example:
//
//	curl -H "Title: Unauthorized access detected" -H "Priority: urgent" \
//	  -H "Tags: warning,skull" -d "Remote access to phils-laptop detected. Act right away." ntfy.sh/phil_alerts
func TestPublishTitlePriorityTags(t *testing.T) {
	h := newHarness(t)
	a, n := h.published(req{method: "POST", path: "/phil_alerts", body: "Remote access to phils-laptop detected. Act right away.",
		headers: []string{"Title: Unauthorized access detected", "Priority: urgent", "Tags: warning,skull"}})
	if a.Title != "Unauthorized access detected" || a.Priority != 5 || !reflect.DeepEqual(a.Tags, []string{"warning", "skull"}) {
		t.Errorf("answer %+v", a)
	}
	if n.Title != "Unauthorized access detected" || n.Body != "Remote access to phils-laptop detected. Act right away." || n.Level != app.LevelError {
		t.Errorf("notification %+v", n)
	}
	d := data(t, n)
	if d["priority"] != float64(5) || !reflect.DeepEqual(d["tags"], []any{"warning", "skull"}) {
		t.Errorf("data %v", d)
	}
}

// TestPublishPUT: PUT works as POST ("PUT works too").
func TestPublishPUT(t *testing.T) {
	h := newHarness(t)
	if _, n := h.published(req{method: "PUT", path: "/mytopic", body: "via PUT"}); n.Title != "via PUT" {
		t.Errorf("notification %+v", n)
	}
}

// TestPublishEveryAlias sends each parameter under every name of ntfy's
// list, as a header and as a query parameter.
func TestPublishEveryAlias(t *testing.T) {
	h := newHarness(t)
	type check func(t *testing.T, a answer, n *app.Notification)
	for _, c := range []struct {
		names []string
		value string
		check check
	}{
		{[]string{"X-Title", "Title", "t"}, "Dogs are better than cats", func(t *testing.T, a answer, n *app.Notification) {
			if a.Title != "Dogs are better than cats" || n.Title != "Dogs are better than cats" || n.Body != "Oh my ..." {
				t.Errorf("title: %+v %+v", a, n)
			}
		}},
		{[]string{"X-Priority", "Priority", "prio", "p"}, "4", func(t *testing.T, a answer, n *app.Notification) {
			if a.Priority != 4 || n.Level != app.LevelWarning {
				t.Errorf("priority: %d %s", a.Priority, n.Level)
			}
		}},
		{[]string{"X-Tags", "Tags", "Tag", "ta"}, "dog, cat,,", func(t *testing.T, a answer, n *app.Notification) {
			if !reflect.DeepEqual(a.Tags, []string{"dog", "cat"}) || !reflect.DeepEqual(data(t, n)["tags"], []any{"dog", "cat"}) {
				t.Errorf("tags: %v %v", a.Tags, data(t, n))
			}
		}},
		{[]string{"X-Click", "Click"}, "https://home.nest.com/", func(t *testing.T, a answer, n *app.Notification) {
			if a.Click != "https://home.nest.com/" || n.TargetURL != "https://home.nest.com/" || data(t, n)["click"] != "https://home.nest.com/" {
				t.Errorf("click: %q %q", a.Click, n.TargetURL)
			}
		}},
		{[]string{"X-Icon", "Icon"}, "https://styles.redditmedia.com/t5_32uhe/styles/communityIcon_xnt6chtnr2j21.png", func(t *testing.T, a answer, n *app.Notification) {
			if a.Icon == "" || data(t, n)["icon"] != a.Icon {
				t.Errorf("icon: %q %v", a.Icon, data(t, n))
			}
		}},
		{[]string{"X-Markdown", "Markdown", "md"}, "yes", func(t *testing.T, a answer, n *app.Notification) {
			if a.ContentType != "text/markdown" || n.Format != "" {
				t.Errorf("markdown: %q %q", a.ContentType, n.Format)
			}
		}},
		{[]string{"X-Message", "Message", "m"}, `Line one\nline two`, func(t *testing.T, a answer, n *app.Notification) {
			if a.Message != "Line one\nline two" || n.Title != "Line one" || n.Body != "Line one\nline two" {
				t.Errorf("message: %q %q %q", a.Message, n.Title, n.Body)
			}
		}},
		{[]string{"X-Actions", "Actions", "Action"}, "view, Open portal, https://home.nest.com/", func(t *testing.T, a answer, n *app.Notification) {
			if len(a.Actions) != 1 || a.Actions[0].Label != "Open portal" {
				t.Errorf("actions: %+v", a.Actions)
			}
		}},
		{[]string{"X-Type", "Type"}, "job_failed", func(t *testing.T, a answer, n *app.Notification) {
			if n.Type != "job_failed" {
				t.Errorf("type: %q", n.Type)
			}
		}},
	} {
		for _, name := range c.names {
			body := "Oh my ..."
			if c.names[0] == "X-Message" {
				body = ""
			}
			t.Run(name+"/header", func(t *testing.T) {
				a, n := h.published(req{method: "POST", path: "/controversial", body: body, headers: []string{name + ": " + c.value}})
				c.check(t, a, n)
			})
			t.Run(name+"/query", func(t *testing.T) {
				q := url.Values{strings.ToLower(name): {c.value}}
				a, n := h.published(req{method: "POST", path: "/controversial?" + q.Encode(), body: body})
				c.check(t, a, n)
			})
		}
	}
}

// TestPublishPriorities: every number and name, their levels, and refusals
// naming the parameter as sent.
func TestPublishPriorities(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		value    string
		priority int
		level    app.Level
	}{
		{"1", 1, app.LevelInfo}, {"min", 1, app.LevelInfo}, {"2", 2, app.LevelInfo}, {"low", 2, app.LevelInfo},
		{"3", 3, app.LevelInfo}, {"default", 3, app.LevelInfo}, {"4", 4, app.LevelWarning}, {"HIGH", 4, app.LevelWarning},
		{"5", 5, app.LevelError}, {"max", 5, app.LevelError}, {"urgent", 5, app.LevelError},
	} {
		a, n := h.published(req{method: "POST", path: "/phil_alerts", body: "x", headers: []string{"X-Priority: " + c.value}})
		if a.Priority != c.priority || n.Level != c.level || data(t, n)["priority"] != float64(c.priority) {
			t.Errorf("priority %q: answer %d, level %s, data %v", c.value, a.Priority, n.Level, data(t, n))
		}
	}
	// RFC 9218's Priority header, which browsers and proxies add, is not
	// ntfy's: it is skipped, and ?priority= still counts.
	a, n := h.published(req{method: "POST", path: "/phil_alerts?priority=high", body: "x", headers: []string{"Priority: u=3, i"}})
	if a.Priority != 4 || n.Level != app.LevelWarning {
		t.Errorf("RFC 9218 header: %d %s", a.Priority, n.Level)
	}
	for _, c := range []struct{ header, query, names string }{
		{"X-Priority: 6", "", `header "X-Priority"`},
		{"Priority: highest", "", `header "Priority"`},
		{"", "?p=0", `query parameter "p"`},
		{"", "?prio=-1", `query parameter "prio"`},
	} {
		r := req{method: "POST", path: "/phil_alerts" + c.query, body: "x"}
		if c.header != "" {
			r.headers = []string{c.header}
		}
		e := h.refused(r, http.StatusBadRequest, 40007, "invalid priority parameter", c.names, "1 to 5")
		if e.Link != "https://docs.ntfy.sh/publish/#message-priority" {
			t.Errorf("link %q", e.Link)
		}
	}
}

// TestPublishMarkdown: X-Markdown and its aliases in ntfy's boolean words,
// Content-Type: text/markdown, and plain text otherwise.
func TestPublishMarkdown(t *testing.T) {
	h := newHarness(t)
	body := "Look ma, **bold text**, *italics*, ..."
	for _, c := range []struct {
		headers  []string
		markdown bool
	}{
		{[]string{"Markdown: yes"}, true},
		{[]string{"X-Markdown: 1"}, true},
		{[]string{"md: TRUE"}, true},
		{[]string{"Content-Type: text/markdown"}, true},
		{[]string{"Markdown: no"}, false},
		{[]string{"Content-Type: text/plain"}, false},
		{nil, false},
	} {
		a, n := h.published(req{method: "POST", path: "/mytopic", body: body, headers: c.headers})
		if got := n.Format == ""; got != c.markdown || (a.ContentType == "text/markdown") != c.markdown {
			t.Errorf("%v: format %q, content_type %q; want markdown %v", c.headers, n.Format, a.ContentType, c.markdown)
		}
	}
}

// TestPublishClick: an http(s) click URL is the target; other schemes
// (ntfy allows mailto:, geo: …) are kept in data only.
func TestPublishClick(t *testing.T) {
	h := newHarness(t)
	a, n := h.published(req{method: "POST", path: "/mytopic", body: "Mail me", headers: []string{"Click: mailto:phil@example.com"}})
	if a.Click != "mailto:phil@example.com" || n.TargetURL != "" || data(t, n)["click"] != "mailto:phil@example.com" {
		t.Errorf("mailto click: %q %q %v", a.Click, n.TargetURL, data(t, n))
	}
}

// TestPublishIcon: an icon must be an http(s) URL (ntfy's 40021).
func TestPublishIcon(t *testing.T) {
	h := newHarness(t)
	h.refused(req{method: "POST", path: "/mytopic", body: "x", headers: []string{"Icon: not-a-url"}},
		http.StatusBadRequest, 40021, "icon URL is invalid", `header "Icon"`)
}

// TestPublishMIMEHeaders: a header in RFC 2047 encoded words (how clients
// send text that is not ASCII) is decoded.
func TestPublishMIMEHeaders(t *testing.T) {
	h := newHarness(t)
	a, n := h.published(req{method: "POST", path: "/mytopic", body: "x", headers: []string{"Title: =?UTF-8?B?R3LDvMOfZSDwn5iA?="}})
	if a.Title != "Grüße 😀" || n.Title != "Grüße 😀" {
		t.Errorf("title %q %q", a.Title, n.Title)
	}
}

// TestPublishGET is ntfy's "publish via GET" for tools that can only call
// a URL: /publish, /send and /trigger.
//
//	curl ntfy.sh/mywebhook/trigger
//	curl "ntfy.sh/mywebhook/publish?message=Webhook+triggered&priority=high&tags=warning,skull"
func TestPublishGET(t *testing.T) {
	h := newHarness(t)
	a, n := h.published(req{method: "GET", path: "/mywebhook/trigger"})
	if a.Message != "triggered" || n.Title != "triggered" || n.ServiceID != "mywebhook" {
		t.Errorf("trigger: %+v %+v", a, n)
	}
	a, n = h.published(req{method: "GET", path: "/mywebhook/publish?message=Webhook+triggered&priority=high&tags=warning,skull"})
	if a.Message != "Webhook triggered" || a.Priority != 4 || n.Level != app.LevelWarning || !reflect.DeepEqual(a.Tags, []string{"warning", "skull"}) {
		t.Errorf("publish: %+v %+v", a, n)
	}
	if a, _ = h.published(req{method: "GET", path: "/mywebhook/send?m=sent&t=Hi"}); a.Message != "sent" || a.Title != "Hi" {
		t.Errorf("send: %+v", a)
	}
}

// TestPublishEmptyBody: no message is ntfy's "triggered".
func TestPublishEmptyBody(t *testing.T) {
	h := newHarness(t)
	if a, n := h.published(req{method: "POST", path: "/mytopic"}); a.Message != "triggered" || n.Title != "triggered" {
		t.Errorf("%+v %+v", a, n)
	}
}

// TestPublishBody: a body that is a file — not UTF-8, or longer than a
// notification's body may be — is an attachment to ntfy, refused; the
// body is trimmed as ntfy does; a body at the limit passes.
func TestPublishBody(t *testing.T) {
	h := newHarness(t)
	h.refused(req{method: "PUT", path: "/mytopic", body: "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
		http.StatusBadRequest, 40014, "attachments not allowed", "not UTF-8")
	h.refused(req{method: "PUT", path: "/mytopic", body: strings.Repeat("x", app.MaxBodyLen+1)},
		http.StatusBadRequest, 40014, "attachments not allowed", "16 KiB")
	if _, n := h.published(req{method: "PUT", path: "/mytopic", body: "  " + strings.Repeat("x", app.MaxBodyLen-3) + "\n"}); len(n.Body) != app.MaxBodyLen-3 {
		t.Errorf("body of %d bytes", len(n.Body))
	}
}

// TestPublishType: X-Type names a Belfry type; an unknown one is refused
// with the native API's message, in ntfy's shape.
func TestPublishType(t *testing.T) {
	h := newHarness(t)
	h.refused(req{method: "POST", path: "/mytopic", body: "x", headers: []string{"X-Type: nonsense"}},
		http.StatusBadRequest, 40000, "invalid request", `Unknown notification type "nonsense"`, "job_failed")
}

// TestPublishValidation: what the native API refuses, the dialect refuses
// in ntfy's shape (a title over 256 bytes, a header that is not UTF-8).
func TestPublishValidation(t *testing.T) {
	h := newHarness(t)
	h.refused(req{method: "POST", path: "/mytopic", body: "x", headers: []string{"Title: " + strings.Repeat("t", app.MaxTitleLen+1)}},
		http.StatusBadRequest, 40000, "Field title is longer than 256 bytes")
	h.refused(req{method: "POST", path: "/mytopic", body: "x", headers: []string{"Title: caf\xe9"}},
		http.StatusBadRequest, 40000, "Field title is not valid UTF-8")
}

// TestPublishRefusals: features Belfry does not have are refused with a
// 400 naming the header (or query parameter) as sent, never dropped —
// every name of ntfy's list.
func TestPublishRefusals(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		names []string
		value string
		code  int
		says  string
	}{
		{[]string{"X-Attach", "Attach", "a"}, "https://f-droid.org/F-Droid.apk", 40014, "attachments not allowed"},
		{[]string{"X-Filename", "Filename", "file", "f"}, "flower.jpg", 40014, "attachments not allowed"},
		{[]string{"X-Email", "X-E-Mail", "Email", "E-Mail", "mail", "e"}, "phil@example.com", 40001, "e-mail notifications are not enabled"},
		{[]string{"X-Call", "Call"}, "yes", 40032, "calling is disabled"},
		{[]string{"X-Template", "Template", "tpl"}, "yes", 40000, "templating is not supported"},
		{[]string{"X-Poll-ID", "Poll-ID"}, "abc", 40000, "poll requests"},
	} {
		for _, name := range c.names {
			h.refused(req{method: "POST", path: "/mytopic", body: "You've Got Mail", headers: []string{name + ": " + c.value}},
				http.StatusBadRequest, c.code, c.says, fmt.Sprintf("remove header %q", name))
			q := strings.ToLower(name)
			h.refused(req{method: "POST", path: "/mytopic?" + url.Values{q: {c.value}}.Encode(), body: "x"},
				http.StatusBadRequest, c.code, c.says, fmt.Sprintf("remove query parameter %q", q))
		}
	}
}

// TestPublishHarmless: X-Cache, X-Firebase and X-UnifiedPush change
// nothing in Belfry and are accepted.
func TestPublishHarmless(t *testing.T) {
	h := newHarness(t)
	for _, hd := range []string{"X-Cache: no", "Cache: no", "X-Firebase: no", "Firebase: no", "X-UnifiedPush: 1", "UnifiedPush: 1", "up: 1"} {
		h.published(req{method: "POST", path: "/mytopic", body: "This message won't be stored server-side", headers: []string{hd}})
	}
}

// TestTopics: ntfy's rule for names, and Belfry's own paths refused.
func TestTopics(t *testing.T) {
	h := newHarness(t)
	for _, bad := range []string{"/my.topic", "/" + strings.Repeat("a", 65), "/t%C3%BCr"} {
		h.refused(req{method: "PUT", path: bad, body: "x"}, http.StatusBadRequest, 40009, "topic invalid", "1 to 64")
	}
	h.published(req{method: "PUT", path: "/" + strings.Repeat("a", 64), body: "x"})
	for _, own := range []string{"api", "ws", "ui", "static", "login", "logout", "healthz", "readyz", "metrics", "notifications", "channels", "tokens", "admin"} {
		h.refused(req{method: "PUT", path: "/" + own, body: "x"}, http.StatusBadRequest, 40010, "topic name is not allowed", "/"+own+" is one of Belfry's own paths")
	}
	for _, own := range []string{"api", "ws", "login", "healthz"} {
		h.refused(req{method: "GET", path: "/" + own + "/publish"}, http.StatusBadRequest, 40010, "not allowed")
	}
	// Belfry's own routes beside /:topic still answer as before.
	if rp := h.do(req{method: "POST", path: "/api/v1/events", body: `{"type":"job_completed","title":"native"}`, headers: []string{"Content-Type: application/json"}}); rp.status != http.StatusAccepted {
		t.Errorf("native publish: %d %s", rp.status, rp.body)
	}
	if rp := h.do(req{method: "GET", path: "/healthz", noAuth: true}); rp.status != http.StatusOK {
		t.Errorf("healthz: %d", rp.status)
	}
	if rp := h.do(req{method: "POST", path: "/login", body: "username=alice&password=wrong", noAuth: true,
		headers: []string{"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"}}); rp.status != http.StatusUnauthorized || strings.Contains(string(rp.body), `"http"`) {
		t.Errorf("login: %d %s", rp.status, rp.body)
	}
	// Subscribing needs a client token: the publish token is refused.
	h.refused(req{method: "GET", path: "/mytopic/json?poll=1"}, http.StatusForbidden, 40301, "may not subscribe")
}

// TestInboxShowsTagsAndActions: in the web inbox, tags that are emoji
// short codes show as emoji before the title, the others as tags, and view
// actions as links, as in ntfy's apps.
func TestInboxShowsTagsAndActions(t *testing.T) {
	h := newHarness(t)
	h.published(req{method: "POST", path: "/backups", body: "Backup of mailsrv13 failed",
		headers: []string{"X-Tags: warning,mailsrv13,daily-backup", "Actions: view, Open logs, https://backup.lan/logs; http, Retry, https://backup.lan/retry"}})
	rp := h.do(req{method: "GET", path: "/ui/notifications", noAuth: true, headers: []string{"Cookie: " + web.SessionCookie + "=" + h.a.Session(h.alice)}})
	page := string(rp.body)
	for _, want := range []string{
		`<span class="nemoji" title="warning">⚠️</span> Backup of mailsrv13 failed`,
		`<span class="ntag">mailsrv13</span>`, `<span class="ntag">daily-backup</span>`,
		`href="https://backup.lan/logs"`, `>Open logs<`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("inbox lacks %s", want)
		}
	}
	if rp.status != http.StatusOK || strings.Contains(page, "https://backup.lan/retry") {
		t.Errorf("inbox: %d, or an http action shown as a link", rp.status)
	}
}

// TestPublishTurnedOff: a recipient who turned the type's in-app channel
// off gets no notification; the publish still answers 200 with an id.
func TestPublishTurnedOff(t *testing.T) {
	h := newHarness(t)
	if err := h.a.Preferences.UpdatePreferences(context.Background(), h.alice.ID, app.Preferences{app.MessageType: false}); err != nil {
		t.Fatal(err)
	}
	rp := h.do(req{method: "POST", path: "/mytopic", body: "unwanted"})
	var a answer
	if err := json.Unmarshal(rp.body, &a); err != nil || rp.status != http.StatusOK || a.ID == "" || a.Event != "message" {
		t.Fatalf("%d %s %v", rp.status, rp.body, err)
	}
	if h.count() != 0 {
		t.Errorf("%d notifications stored", h.count())
	}
}
