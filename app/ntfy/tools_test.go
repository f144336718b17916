package ntfy_test

import (
	"reflect"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
)

// The requests below are what each tool sends, written from its
// documentation and its ntfy client: its method, path, headers and body.

// TestUptimeKuma: Uptime Kuma's ntfy notification type posts JSON to the
// server URL with the topic inside, authenticated with an access token
// (Bearer) or a username and password (Basic). Its test button sends a
// "test_tube" message without priority; a monitor going down sends
// priority + 1, a red_circle tag, the monitor's tags and a view action.
func TestUptimeKuma(t *testing.T) {
	h := newHarness(t)
	a, n := h.published(req{method: "POST", path: "/", headers: []string{"Content-Type: application/json"},
		body: `{"topic":"uptime","title":"uptime [Uptime-Kuma]","message":"Uptime Kuma Testing","tags":["test_tube"]}`})
	if a.Title != "uptime [Uptime-Kuma]" || n.Level != app.LevelInfo || n.ServiceID != "uptime" || n.Body != "Uptime Kuma Testing" {
		t.Errorf("test message: %+v %+v", a, n)
	}

	_, n = h.published(req{method: "POST", path: "/", noAuth: true, headers: []string{"Content-Type: application/json", "Authorization: " + basic("alice", apptest.Password)},
		body: `{"topic":"uptime","message":"[Router] [🔴 Down] timeout of 48000ms exceeded","priority":5,"title":"Router Down [Uptime-Kuma]",` +
			`"tags":["red_circle","prod","site: home"],"actions":[{"action":"view","label":"Open Router","url":"https://router.lan/"}],` +
			`"icon":"https://uptime.kuma.pet/img/icon.svg"}`})
	if n.UserID != h.alice.ID || n.Title != "Router Down [Uptime-Kuma]" || n.Level != app.LevelError {
		t.Errorf("down message: %+v", n)
	}
	d := data(t, n)
	if !reflect.DeepEqual(d["tags"], []any{"red_circle", "prod", "site: home"}) || d["icon"] != "https://uptime.kuma.pet/img/icon.svg" {
		t.Errorf("down data: %v", d)
	}
	if actions, _ := d["actions"].([]any); len(actions) != 1 || actions[0].(map[string]any)["url"] != "https://router.lan/" {
		t.Errorf("down actions: %v", d["actions"])
	}
	// A phone call (its "ntfyCall" option) is refused, not dropped.
	h.refused(req{method: "POST", path: "/", headers: []string{"Content-Type: application/json", "X-Call: yes"},
		body: `{"topic":"uptime","message":"[Router] [🔴 Down]","priority":5,"title":"Router Down [Uptime-Kuma]","tags":["red_circle"]}`},
		400, 40032, `remove header "X-Call"`)
}

// TestApprise: Apprise's ntfy:// and ntfys:// URLs post JSON to / (topic,
// title, message) with the rest in headers — X-Priority by name, X-Tags,
// X-Icon (its own image), X-Click — and a token as Bearer
// (ntfys://host/topic?token=…) or Basic user:password (ntfys://user:pass@host/topic).
func TestApprise(t *testing.T) {
	h := newHarness(t)
	_, n := h.published(req{method: "POST", path: "/", body: `{"topic": "backups", "title": "Backup", "message": "Nightly backup failed"}`,
		headers: []string{"User-Agent: Apprise", "Content-Type: application/json", "X-Priority: max", "X-Tags: floppy_disk,borg",
			"X-Icon: https://github.com/caronc/apprise/raw/master/apprise/assets/themes/default/apprise-failure-72x72.png",
			"X-Click: https://backup.lan/"}})
	if n.Title != "Backup" || n.Body != "Nightly backup failed" || n.Level != app.LevelError || n.TargetURL != "https://backup.lan/" || n.ServiceID != "backups" {
		t.Errorf("notification %+v", n)
	}
	if d := data(t, n); !reflect.DeepEqual(d["tags"], []any{"floppy_disk", "borg"}) || d["priority"] != float64(5) {
		t.Errorf("data %v", d)
	}
	_, n = h.published(req{method: "POST", path: "/", noAuth: true, body: `{"topic": "backups", "message": "ok"}`,
		headers: []string{"Content-Type: application/json", "X-Markdown: yes", "Authorization: " + basic("alice", apptest.Password)}})
	if n.UserID != h.alice.ID || n.Format != "" {
		t.Errorf("basic + markdown: %+v", n)
	}
}

// TestProxmoxWebhook: Proxmox VE (8.3 and later) has no ntfy target; its
// webhook target, set up as its docs show for ntfy, posts the rendered
// message to /<topic> with the title and severity in headers filled from
// its templates ({{ title }}, {{ severity }}) and the token from a secret.
func TestProxmoxWebhook(t *testing.T) {
	h := newHarness(t)
	body := "Details\n=======\nVMID  Name  Status  Time  Size\n100   web   ok      12s   1.2 GiB\n\nTotal running time: 12s"
	_, n := h.published(req{method: "POST", path: "/proxmox", body: body,
		headers: []string{"Title: vzdump backup status (pve1): backup successful", "Tags: proxmox,info"}})
	if n.Title != "vzdump backup status (pve1): backup successful" || n.Body != body || n.Format != app.FormatText || n.ServiceID != "proxmox" {
		t.Errorf("notification %+v", n)
	}
}

// TestHomeAssistant: Home Assistant's rest_command posts the message as
// text with the title, priority and tags in headers it fills from
// templates. (Its ntfy integration cannot be pointed at Belfry: it first
// calls ntfy's account API, which Belfry does not serve.)
func TestHomeAssistant(t *testing.T) {
	h := newHarness(t)
	_, n := h.published(req{method: "POST", path: "/homeassistant", body: "The washing machine is done.", noAuth: true,
		headers: []string{"authorization: Bearer " + h.token, "title: Washing machine", "priority: 4", "tags: basket", "Content-Type: text/plain"}})
	if n.Title != "Washing machine" || n.Level != app.LevelWarning || n.Body != "The washing machine is done." {
		t.Errorf("notification %+v", n)
	}
}
