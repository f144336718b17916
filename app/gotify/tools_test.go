package gotify_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// The requests below are the ones each tool sends, as their documentation
// and source describe them; the bodies are ours.

// TestProxmox: Proxmox VE's Gotify notification target posts JSON to
// {server}/message with the token in both Authorization: Bearer and
// X-Gotify-Key, the body in a Markdown code block, and priority 1, 3, 5 or
// 9 for info, notice, warning and error.
func TestProxmox(t *testing.T) {
	h := newHarness(t)
	alice := h.User("alice", false)
	secret, _ := h.app(alice, "Proxmox", app.ScopePublish)
	body := `{"title":"vzdump backup status (pve1.home.arpa): backup failed","message":"` +
		"```\\nVMID  Name      Status  Time\\n100   pihole    err     00:00:03\\n```" +
		`","priority":9,"extras":{"client::display":{"contentType":"text/markdown"}}}`
	a := h.publish("/message", "application/json", body, "Authorization", "Bearer "+secret, "X-Gotify-Key", secret)

	n := h.only(alice)
	if a.ID != h.number(n.ID) || a.ID < 1 || a.AppID != h.appID("Proxmox") || a.Priority != 9 ||
		a.Title != "vzdump backup status (pve1.home.arpa): backup failed" || !strings.HasPrefix(a.Message, "```\nVMID") ||
		!reflect.DeepEqual(a.Extras, map[string]any{"client::display": map[string]any{"contentType": "text/markdown"}}) ||
		!a.Date.Equal(n.CreatedAt) {
		t.Errorf("answer %+v (notification %s created %v)", a, n.ID, n.CreatedAt)
	}
	d := data(t, n)
	if n.Type != app.MessageType || n.Level != app.LevelError || n.Format != "" || n.ServiceID != "Proxmox" ||
		n.Title != a.Title || n.Body != a.Message || d["source"] != "gotify" || d["topic"] != "Proxmox" ||
		d["priority"] != float64(9) || d["appid"] != float64(a.AppID) || d["extras"] == nil {
		t.Errorf("stored %+v data %v", n, d)
	}

	// The other severities.
	for _, c := range []struct {
		priority string
		level    app.Level
	}{{"1", app.LevelInfo}, {"3", app.LevelInfo}, {"5", app.LevelWarning}} {
		h.publish("/message", "application/json", `{"title":"pve1: package updates","message":"x","priority":`+c.priority+`}`,
			"Authorization", "Bearer "+secret, "X-Gotify-Key", secret)
		if got := h.inbox(alice)[0]; got.Level != c.level {
			t.Errorf("priority %s: level %s, want %s", c.priority, got.Level, c.level)
		}
	}
}

// TestUptimeKuma: Uptime Kuma's Gotify type posts JSON with the token in
// the query, title "Uptime-Kuma" and its configured priority (8 unless
// set).
func TestUptimeKuma(t *testing.T) {
	h := newHarness(t)
	bob := h.User("bob", false)
	secret, _ := h.app(bob, "uptime", app.ScopePublish)
	msg := "[Router] [🔴 Down] connect ECONNREFUSED 192.168.1.1:80"
	a := h.publish("/message?token="+secret, "application/json",
		`{"message":"`+msg+`","priority":8,"title":"Uptime-Kuma"}`)
	n := h.only(bob)
	if a.Title != "Uptime-Kuma" || a.Message != msg || n.Level != app.LevelError || n.Format != app.FormatText ||
		n.Title != "Uptime-Kuma" || n.Body != msg || n.ServiceID != "uptime" {
		t.Errorf("answer %+v stored %+v", a, n)
	}
}

// TestHomeAssistant: Home Assistant's rest notify platform (method
// POST_JSON, the token in X-Gotify-Key, priority in data) posts
// {"message","title","priority"}; a templated priority arrives as a
// string.
func TestHomeAssistant(t *testing.T) {
	h := newHarness(t)
	carol := h.User("carol", false)
	secret, _ := h.app(carol, "Home Assistant", app.ScopePublish)
	for _, priority := range []string{`5`, `"5"`} {
		a := h.publish("/message", "application/json",
			`{"message":"The garage door has been open for 10 minutes.","title":"Home Assistant","priority":`+priority+`}`,
			"X-Gotify-Key", secret)
		n := h.inbox(carol)[0]
		if a.Priority != 5 || n.Level != app.LevelWarning || n.Title != "Home Assistant" || n.ServiceID != "Home Assistant" {
			t.Errorf("priority %s: answer %+v stored %+v", priority, a, n)
		}
	}
}

// TestApprise: Apprise's gotify:// URL posts JSON with X-Gotify-Key and
// priority 0, 3, 5, 8 or 10 (low … emergency); with its Markdown format it
// adds the text/markdown extra. An empty title becomes the application's
// name, as in Gotify.
func TestApprise(t *testing.T) {
	h := newHarness(t)
	dave := h.User("dave", false)
	secret, _ := h.app(dave, "apprise", app.ScopePublish)
	a := h.publish("/message", "application/json", `{"priority":5,"title":"","message":"Test Message Body"}`,
		"User-Agent", "Apprise", "X-Gotify-Key", secret)
	n := h.only(dave)
	if a.Title != "apprise" || n.Title != "apprise" || n.Body != "Test Message Body" || n.Format != app.FormatText || n.Level != app.LevelWarning {
		t.Errorf("answer %+v stored %+v", a, n)
	}
	h.publish("/message", "application/json",
		`{"priority":10,"title":"Disk","message":"**sda** is failing","extras":{"client::display":{"contentType":"text/markdown"}}}`,
		"X-Gotify-Key", secret)
	if n := h.inbox(dave)[0]; n.Format != "" || n.Level != app.LevelError || n.Body != "**sda** is failing" {
		t.Errorf("markdown: stored %+v", n)
	}
	for _, priority := range []string{"0", "3"} {
		h.publish("/message", "application/json", `{"priority":`+priority+`,"title":"t","message":"m"}`, "X-Gotify-Key", secret)
		if n := h.inbox(dave)[0]; n.Level != app.LevelInfo {
			t.Errorf("priority %s: level %s", priority, n.Level)
		}
	}
}

// TestGotifyDocs: the examples of Gotify's own documentation — curl with a
// multipart form, HTTPie with an urlencoded form, Python's requests with
// JSON, Go's http.PostForm — and the extras it documents.
func TestGotifyDocs(t *testing.T) {
	h := newHarness(t)
	erin := h.User("erin", false)
	secret, _ := h.app(erin, "scripts", app.ScopePublish)
	check := func(name string, a answer, title, message string, priority int64, level app.Level) {
		t.Helper()
		n := h.inbox(erin)[0]
		if a.Title != title || a.Message != message || a.Priority != priority || n.Title != title || n.Body != message || n.Level != level {
			t.Errorf("%s: answer %+v stored %+v", name, a, n)
		}
	}

	// curl "…/message?token=<apptoken>" -F "title=my title" -F "message=my message" -F "priority=5"
	multipart := "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nmy title\r\n" +
		"--XyZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nmy message\r\n" +
		"--XyZ\r\nContent-Disposition: form-data; name=\"priority\"\r\n\r\n5\r\n--XyZ--\r\n"
	check("curl -F", h.publish("/message?token="+secret, "multipart/form-data; boundary=XyZ", multipart), "my title", "my message", 5, app.LevelWarning)

	// http -f POST "…/message?token=<apptoken>" title="my title" message="my message" priority="5"
	check("http -f", h.publish("/message?token="+secret, "application/x-www-form-urlencoded; charset=utf-8",
		"title=my+title&message=my+message&priority=5"), "my title", "my message", 5, app.LevelWarning)

	// requests.post('…/message?token=<apptoken>', json={"message": "Well hello there.", "priority": 2, "title": "This is my title"})
	check("python", h.publish("/message?token="+secret, "application/json",
		`{"message": "Well hello there.", "priority": 2, "title": "This is my title"}`), "This is my title", "Well hello there.", 2, app.LevelInfo)

	// http.PostForm("…/message?token=<apptoken>", url.Values{"message": {"My Message"}, "title": {"My Title"}})
	check("go", h.publish("/message?token="+secret, "application/x-www-form-urlencoded", "message=My+Message&title=My+Title"),
		"My Title", "My Message", 0, app.LevelInfo)

	// Fields from the query string alone, and a form field the body lacks.
	check("query", h.publish("/message?token="+secret+"&title=Q&message=from+the+query&priority=8", "", ""), "Q", "from the query", 8, app.LevelError)
	check("form+query", h.publish("/message?token="+secret+"&priority=4", "application/x-www-form-urlencoded", "message=m&title=t"),
		"t", "m", 4, app.LevelWarning)

	// curl -d '{…}' sends JSON as a form: it is read as JSON.
	check("curl -d", h.publish("/message?token="+secret, "application/x-www-form-urlencoded", `{"message":"json body","title":"T"}`),
		"T", "json body", 0, app.LevelInfo)

	// Without a Content-Type, a form or a JSON object.
	check("no type, form", h.publish("/message?token="+secret, "", "message=bare+form&title=F"), "F", "bare form", 0, app.LevelInfo)
	check("no type, JSON", h.publish("/message?token="+secret, "", `{"message":"bare JSON","title":"J","priority":9}`), "J", "bare JSON", 9, app.LevelError)

	// Member names in any letter case, unknown members ignored, as Gotify's binding does.
	check("case", h.publish("/message?token="+secret, "application/json", `{"Message":"M","Title":"T","Priority":7,"appid":3}`),
		"T", "M", 7, app.LevelWarning)

	// client::notification.click.url becomes the target URL; other URLs stay in the extras.
	a := h.publish("/message", "application/json",
		`{"message":"Open me","extras":{"client::notification":{"click":{"url":"https://gotify.net"},"bigImageUrl":"https://example.com/x.png"},"home::lights::on":{"brightness":15}}}`,
		"Authorization", "Bearer "+secret)
	n := h.inbox(erin)[0]
	extras, _ := data(t, n)["extras"].(map[string]any)
	if n.TargetURL != "https://gotify.net" || a.Title != "scripts" || extras["home::lights::on"] == nil {
		t.Errorf("click: answer %+v stored %+v extras %v", a, n, extras)
	}
	h.publish("/message?token="+secret, "application/json", `{"message":"intent","extras":{"client::notification":{"click":{"url":"homeassistant://navigate/lovelace"}}}}`)
	if n := h.inbox(erin)[0]; n.TargetURL != "" || !strings.Contains(string(n.Data), "homeassistant://navigate") {
		t.Errorf("app URL: stored %+v", n)
	}
	// text/plain and other content types are plain text.
	h.publish("/message?token="+secret, "application/json", `{"message":"*x*","extras":{"client::display":{"contentType":"text/plain"}}}`)
	if n := h.inbox(erin)[0]; n.Format != app.FormatText {
		t.Errorf("text/plain: format %q", n.Format)
	}
}

// TestType: a Belfry type named by ?type= or the belfry::type extra.
func TestType(t *testing.T) {
	h := newHarness(t)
	erin := h.User("erin", false)
	secret, _ := h.app(erin, "nas", app.ScopePublish)
	h.publish("/message?token="+secret+"&type=backup_done", "application/json", `{"message":"done"}`)
	if n := h.inbox(erin)[0]; n.Type != "backup_done" {
		t.Errorf("?type: %s", n.Type)
	}
	h.publish("/message?token="+secret, "application/json", `{"message":"failed","priority":8,"extras":{"belfry::type":"job_failed"}}`)
	if n := h.inbox(erin)[0]; n.Type != "job_failed" || n.Level != app.LevelError {
		t.Errorf("belfry::type: %s %s", n.Type, n.Level)
	}
	h.publish("/message?token="+secret+"&type=job_failed", "application/json", `{"message":"same","extras":{"belfry::type":"job_failed"}}`)
	if n := h.inbox(erin)[0]; n.Type != "job_failed" || n.Body != "same" {
		t.Errorf("both, the same: %s %q", n.Type, n.Body)
	}
}

// TestAdminToken: an admin token publishes like a publish token; the
// answer's date is the notification's.
func TestAdminToken(t *testing.T) {
	h := newHarness(t)
	root := h.User("root", true)
	secret, _ := h.app(root, "ops", app.ScopeAdmin)
	a := h.publish("/message?token="+secret, "application/json", `{"message":"hi"}`)
	n := h.only(root)
	if a.ID != h.number(n.ID) || a.Date.Location() != time.UTC || !a.Date.Equal(n.CreatedAt) {
		t.Errorf("answer %+v, notification %+v", a, n)
	}
}
