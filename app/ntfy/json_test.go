package ntfy_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

// TestPublishJSON is ntfy's "Publish as JSON" example, less the
// attachment (refused below).
func TestPublishJSON(t *testing.T) {
	h := newHarness(t)
	a, n := h.published(req{method: "POST", path: "/", body: `{
	  "topic": "mytopic",
	  "message": "Disk space is low at 5.1 GB",
	  "title": "Low disk space alert",
	  "tags": ["warning","cd"],
	  "priority": 4,
	  "click": "https://homecamera.lan/xasds1h2xsSsa/",
	  "actions": [{ "action": "view", "label": "Admin panel", "url": "https://filesrv.lan/admin" }]
	}`})
	if a.Topic != "mytopic" || a.Title != "Low disk space alert" || a.Priority != 4 || !reflect.DeepEqual(a.Tags, []string{"warning", "cd"}) ||
		a.Click != "https://homecamera.lan/xasds1h2xsSsa/" || len(a.Actions) != 1 || a.Actions[0].URL != "https://filesrv.lan/admin" {
		t.Errorf("answer %+v", a)
	}
	if n.Title != "Low disk space alert" || n.Body != "Disk space is low at 5.1 GB" || n.Level != app.LevelWarning ||
		n.TargetURL != "https://homecamera.lan/xasds1h2xsSsa/" || n.ServiceID != "mytopic" || n.Format != app.FormatText {
		t.Errorf("notification %+v", n)
	}
	d := data(t, n)
	actions, _ := d["actions"].([]any)
	if len(actions) != 1 || actions[0].(map[string]any)["label"] != "Admin panel" || d["priority"] != float64(4) {
		t.Errorf("data %v", d)
	}

	// PUT works too; markdown, type and a priority name.
	_, n = h.published(req{method: "PUT", path: "/", body: `{"topic":"mytopic","message":"**bold**","markdown":true,"type":"job_failed","priority":"urgent"}`})
	if n.Format != "" || n.Type != "job_failed" || n.Level != app.LevelError {
		t.Errorf("markdown JSON: %+v", n)
	}
	// No message is "triggered"; cache and firebase take any value.
	if a, _ := h.published(req{method: "POST", path: "/", body: `{"topic":"mytopic","cache":"no","firebase":false}`}); a.Message != "triggered" {
		t.Errorf("empty JSON message: %+v", a)
	}
	// Headers still apply where the JSON says nothing.
	if a, _ := h.published(req{method: "POST", path: "/", body: `{"topic":"mytopic","message":"x"}`, headers: []string{"X-Title: From a header"}}); a.Title != "From a header" {
		t.Errorf("header beside JSON: %+v", a)
	}
}

// TestPublishJSONRefusals: every bad JSON body is a clear 4xx in ntfy's
// shape.
func TestPublishJSONRefusals(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		body         string
		status, code int
		says         []string
	}{
		{``, 400, 40017, []string{"must be message JSON", "empty"}},
		{`Disk space is low`, 400, 40017, []string{"must be message JSON", "not valid JSON"}},
		{`{"topic":"mytopic","message":"x"`, 400, 40017, []string{"ends too early"}},
		{`["mytopic"]`, 400, 40017, []string{"must be an object"}},
		{`{"topic":"mytopic","sequence_id":"abc"}`, 400, 40017, []string{`Unknown field "sequence_id"`}},
		{`{"topic":"mytopic","tags":"warning"}`, 400, 40017, []string{"tags must be an array"}},
		{`{"topic":"mytopic","markdown":"yes"}`, 400, 40017, []string{"markdown must be a boolean"}},
		{`{"topic":"mytopic","priority":{}}`, 400, 40017, []string{"priority must be a number"}},
		{`{"topic":"mytopic"} {}`, 400, 40017, []string{"single JSON value"}},
		{`{"message":"x"}`, 400, 40009, []string{"topic invalid", `"topic" is required`}},
		{`{"topic":"my topic"}`, 400, 40009, []string{"topic invalid"}},
		{`{"topic":"api"}`, 400, 40010, []string{"not allowed"}},
		{`{"topic":"mytopic","priority":7}`, 400, 40007, []string{`JSON field "priority"`}},
		{`{"topic":"mytopic","attach":"https://filesrv.lan/space.jpg","filename":"diskspace.jpg"}`, 400, 40014, []string{`remove JSON field "attach"`}},
		{`{"topic":"mytopic","filename":"diskspace.jpg"}`, 400, 40014, []string{`remove JSON field "filename"`}},
		{`{"topic":"mytopic","email":"phil@example.com"}`, 400, 40001, []string{`remove JSON field "email"`}},
		{`{"topic":"mytopic","call":"yes"}`, 400, 40032, []string{`remove JSON field "call"`}},
		{`{"topic":"mytopic","delay":"30 fortnights"}`, 400, 40004, []string{`JSON field "delay"`, "unable to parse delay"}},
		{`{"topic":"mytopic","actions":[{"action":"dance","label":"x"}]}`, 400, 40018, []string{`JSON field "actions"`, "view, broadcast or http"}},
		{`{"topic":"mytopic","actions":{"action":"view"}}`, 400, 40018, []string{"not a JSON array of actions"}},
		{`{"topic":"mytopic","message":"` + strings.Repeat("x", 70<<10) + `"}`, 413, 41303, []string{"JSON body too large", "64 KiB"}},
	} {
		h.refused(req{method: "POST", path: "/", body: c.body, headers: []string{"Content-Type: application/json"}}, c.status, c.code, c.says...)
	}
}
