package hooks_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

// kumaSample is the JSON body Uptime Kuma's webhook notification posts:
// the heartbeat, the monitor and a message.
const kumaSample = `{"heartbeat": {"monitorID": 3, "status": 0, "msg": "timeout of 48000ms exceeded", "time": "2026-03-30 07:55:12.345", "ping": null},
	"monitor": {"id": 3, "name": "NAS", "url": "https://nas.home.arpa", "type": "http"},
	"msg": "[NAS] [🔴 Down] timeout of 48000ms exceeded"}`

// kumaMapping maps it: the monitor and its state in the title, the
// message as body, down is an error, the monitor's address the link.
var kumaMapping = map[string]any{
	"title":  `{{.monitor.name}} is {{if eq .heartbeat.status 0}}down{{else}}up{{end}}`,
	"body":   `{{.heartbeat.msg}}{{with .heartbeat.ping}} ({{.}} ms){{end}}`,
	"level":  `{{if eq .heartbeat.status 0}}error{{else}}info{{end}}`,
	"url":    `{{.monitor.url}}`,
	"sample": json.RawMessage(kumaSample),
}

// session sends a request from alice's browser session.
func (h *harness) session(method, path string, body any) reply {
	h.t.Helper()
	var s string
	switch b := body.(type) {
	case string:
		s = b
	case nil:
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		s = string(raw)
	}
	return h.send(method, path, "application/json", s, "Cookie", "belfry_session="+h.a.Session(h.alice))
}

// mappingView is the API's view of a mapping.
type mappingView struct {
	TokenID   string          `json:"token_id"`
	Title     string          `json:"title"`
	Sample    json.RawMessage `json:"sample"`
	HasSecret bool            `json:"has_secret"`
	Preview   *struct {
		Title, Body, Type string
		Level             app.Level
		TargetURL         string `json:"target_url"`
	} `json:"preview"`
}

// TestCustomMapping: a mapping is saved with its sample's rendering shown,
// read back without its secret, and renders what the sender posts into a
// notification that keeps the JSON in data.payload.
func TestCustomMapping(t *testing.T) {
	h := newHarness(t)
	tok := h.tokenID(h.token)
	path := "/api/tokens/" + tok + "/mapping"

	r := h.session(http.MethodPut, path, kumaMapping)
	var v mappingView
	if r.status != http.StatusOK {
		t.Fatalf("put: %d %s", r.status, r.body)
	}
	r.decode(t, &v)
	if v.TokenID != tok || v.HasSecret || v.Preview == nil || v.Preview.Title != "NAS is down" || v.Preview.Level != app.LevelError ||
		v.Preview.Body != "timeout of 48000ms exceeded" || v.Preview.TargetURL != "https://nas.home.arpa" {
		t.Fatalf("put answered %s", r.body)
	}
	if r := h.session(http.MethodGet, path, nil); r.status != http.StatusOK || !strings.Contains(r.body, `"sample":{"heartbeat"`) || strings.Contains(r.body, "preview") {
		t.Errorf("get: %d %s", r.status, r.body)
	}

	up := strings.Replace(strings.Replace(kumaSample, `"status": 0`, `"status": 1`, 1), `"ping": null`, `"ping": 12`, 1)
	res := h.accepted(h.post("/api/v1/hooks/custom?topic=uptime", up), 1)
	n, data := h.notification(res.Notifications[0].ID)
	if n.Title != "NAS is up" || n.Level != app.LevelInfo || n.Body != "timeout of 48000ms exceeded (12 ms)" || n.TargetURL != "https://nas.home.arpa" ||
		n.ServiceID != "uptime" || n.Type != app.MessageType || n.Format != app.FormatText {
		t.Errorf("%+v", n)
	}
	if data["source"] != "custom" || data["payload"].(map[string]any)["msg"] != "[NAS] [🔴 Down] timeout of 48000ms exceeded" {
		t.Errorf("data %v", data)
	}

	// Markdown and a type from the mapping.
	md := map[string]any{"title": "{{.monitor.name}}", "body": "**{{.msg}}**", "type": "job_failed", "markdown": true}
	if r := h.session(http.MethodPut, path, md); r.status != http.StatusOK {
		t.Fatalf("put without a sample keeps the stored one: %d %s", r.status, r.body)
	}
	res = h.accepted(h.post("/api/v1/hooks/custom", kumaSample), 1)
	if n, _ := h.notification(res.Notifications[0].ID); n.Format != "" || n.Type != "job_failed" || n.Body != "**[NAS] [🔴 Down] timeout of 48000ms exceeded**" {
		t.Errorf("markdown mapping: %+v", n)
	}

	if r := h.session(http.MethodDelete, path, nil); r.status != http.StatusOK {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	h.refused("after delete", h.post("/api/v1/hooks/custom", kumaSample), http.StatusBadRequest, "no custom mapping")
	h.refused("get after delete", h.session(http.MethodGet, path, nil), http.StatusNotFound, "no mapping")
	h.refused("delete again", h.session(http.MethodDelete, path, nil), http.StatusNotFound, "no mapping")
}

// TestMappingValidation: a mapping that cannot work is refused when saved,
// with the failing template named and the sample quoted.
func TestMappingValidation(t *testing.T) {
	h := newHarness(t)
	path := "/api/tokens/" + h.tokenID(h.token) + "/mapping"
	with := func(changes map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range kumaMapping {
			m[k] = v
		}
		for k, v := range changes {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	for name, c := range map[string]struct {
		body   any
		status int
		want   string
	}{
		"parse":          {with(map[string]any{"title": "{{.monitor.name"}), 400, "The title template does not parse: title:1: unclosed action"},
		"unknown func":   {with(map[string]any{"body": "{{exec .msg}}"}), 400, `The body template does not parse: body:1: function "exec" not defined`},
		"exec":           {with(map[string]any{"body": "{{.heartbeat.msg.x}}"}), 400, `The body template failed on this input: body:1:12: executing "body" at <.heartbeat.msg.x>: can't evaluate field x`},
		"exec quotes":    {with(map[string]any{"body": "{{.heartbeat.msg.x}}"}), 400, `Input: {"heartbeat":{"monitorID":3,"status":0,"msg":"timeout of 48000ms exceeded"`},
		"bad level":      {with(map[string]any{"level": "{{.monitor.type}}"}), 400, `The level template printed "http" on this input; it must print info, warning or error`},
		"unknown type":   {with(map[string]any{"type": "backup"}), 400, `On the sample, the mapping gives a notification Belfry refuses: Unknown notification type "backup"`},
		"bad url":        {with(map[string]any{"url": "javascript:alert(1)"}), 400, "Field target_url must be an absolute http(s) URL"},
		"long url":       {with(map[string]any{"url": "https://x/{{range .monitor}}{{$}}{{$}}{{$}}{{end}}"}), 400, "The url template printed more than 2048 bytes"},
		"no sample":      {with(map[string]any{"sample": nil}), 400, "Give a sample"},
		"null sample":    {with(map[string]any{"sample": json.RawMessage("null")}), 400, "Give a sample"},
		"no title/body":  {map[string]any{"level": "info", "sample": json.RawMessage(kumaSample)}, 400, "needs a title or a body template"},
		"long template":  {with(map[string]any{"body": strings.Repeat("x", 4097)}), 400, "The body template is longer than 4096 bytes"},
		"define":         {with(map[string]any{"body": `{{define "x"}}y{{end}}z`}), 400, "may not define templates"},
		"template call":  {with(map[string]any{"body": `{{template "title"}}`}), 400, "may not call templates"},
		"range number":   {with(map[string]any{"body": `{{range 100000000}}{{end}}`}), 400, "may range over data only"},
		"range len":      {with(map[string]any{"body": `{{range len .msg}}{{end}}`}), 400, "may range over data only"},
		"var from len":   {with(map[string]any{"body": `{{$n := len .msg}}{{range $n}}{{end}}`}), 400, "may set variables to data only"},
		"nested root":    {with(map[string]any{"body": `{{range .monitor}}{{range $.monitor}}{{end}}{{end}}`}), 400, "inside a range, range over the current element only"},
		"with root":      {with(map[string]any{"body": `{{range .monitor}}{{with $}}{{range .monitor}}{{end}}{{end}}{{end}}`}), 400, "inside a range, use with on the current element only"},
		"call":           {with(map[string]any{"body": `{{call .monitor}}`}), 400, "call is not available in mappings"},
		"printf width":   {with(map[string]any{"body": `{{printf "%0100000000d" 1}}`}), 400, "printf widths and precisions are at most 64"},
		"printf star":    {with(map[string]any{"body": `{{printf "%*d" 100000000 1}}`}), 400, "no * widths"},
		"long secret":    {with(map[string]any{"secret": strings.Repeat("s", 257)}), 400, "at most 256 bytes"},
		"unknown field":  {with(map[string]any{"titel": "x"}), 400, "Unknown field"},
		"not JSON":       {"{", 400, "not valid JSON"},
		"bad token id":   {kumaMapping, 400, "must be a UUID"},
		"other's token":  {kumaMapping, 404, "Token not found"},
		"eq on an array": {with(map[string]any{"title": `{{if eq .monitor 1}}x{{end}}`}), 400, "eq compares text, numbers, booleans and null"},
	} {
		p := path
		switch name {
		case "bad token id":
			p = "/api/tokens/nope/mapping"
		case "other's token":
			p = "/api/tokens/" + h.tokenID(h.a.TokenFor("bob", false, app.ScopePublish)) + "/mapping"
		}
		h.refused(name, h.session(http.MethodPut, p, c.body), c.status, c.want)
	}
	h.refused("nothing saved", h.session(http.MethodGet, path, nil), http.StatusNotFound, "no mapping")

	// Only a session (or an admin token) manages mappings: a leaked
	// publish token cannot change what its hooks publish.
	h.refused("publish token", h.send(http.MethodPut, path, "application/json", `{}`, "Authorization", "Bearer "+h.token), http.StatusForbidden, "may not do this")
	h.refused("anonymous", h.send(http.MethodGet, path, "", ""), http.StatusUnauthorized, "Authentication required")
}

// TestCustomHookBadInput: what the sender posts is checked like a native
// event, and a template failing on it is a 400 quoting it.
func TestCustomHookBadInput(t *testing.T) {
	h := newHarness(t)
	path := "/api/tokens/" + h.tokenID(h.token) + "/mapping"
	m := map[string]any{"title": "{{.monitor.name}} {{.heartbeat.msg.x}}", "sample": json.RawMessage(`{"monitor":{"name":"NAS"},"heartbeat":{"msg":{"x":1}}}`),
		"url": "{{.monitor.url}}", "level": "{{.level}}"}
	if r := h.session(http.MethodPut, path, m); r.status != http.StatusOK {
		t.Fatalf("put: %d %s", r.status, r.body)
	}
	for name, c := range map[string]struct {
		body, want string
		status     int
	}{
		"empty":        {"", "empty", 400},
		"not JSON":     {"{nope", "Request body is not valid JSON (at byte 2)", 400},
		"two values":   {"{} {}", "single JSON value", 400},
		"exec":         {kumaSample, `The title template failed on this input: title:1:30: executing "title" at <.heartbeat.msg.x>`, 400},
		"bad url":      {`{"monitor":{"name":"NAS","url":"ftp://nas"},"heartbeat":{"msg":{}}}`, "Field target_url must be an absolute http(s) URL", 400},
		"bad level":    {`{"monitor":{"name":"NAS"},"heartbeat":{"msg":{}},"level":"urgent"}`, `printed "urgent"`, 400},
		"too large":    {`{"x":"` + strings.Repeat("x", 64<<10) + `"}`, "larger than 64 KiB", 413},
		"unknown type": {`{"monitor":{"name":"NAS"},"heartbeat":{"msg":{}}}`, `Unknown notification type "nope"`, 400},
	} {
		p := "/api/v1/hooks/custom"
		if name == "unknown type" {
			p += "?type=nope"
		}
		h.refused(name, h.post(p, c.body), c.status, c.want)
	}
	// A missing field prints nothing; the rest renders.
	res := h.accepted(h.post("/api/v1/hooks/custom", `{"heartbeat":{}}`), 1)
	if n, _ := h.notification(res.Notifications[0].ID); n.Title != "(no message)" || n.Level != app.LevelInfo || n.TargetURL != "" {
		t.Errorf("missing fields: %q %s %q", n.Title, n.Level, n.TargetURL)
	}
}

// TestCustomHookSignature: a custom mapping's token with a secret takes
// only signed requests; setting the mapping again without the secret keeps
// it, "" removes it.
func TestCustomHookSignature(t *testing.T) {
	h := newHarness(t)
	path := "/api/tokens/" + h.tokenID(h.token) + "/mapping"
	m := map[string]any{"title": "{{.msg}}", "sample": json.RawMessage(kumaSample), "secret": "whsec"}
	if r := h.session(http.MethodPut, path, m); r.status != http.StatusOK || !strings.Contains(r.body, `"has_secret":true`) {
		t.Fatalf("put: %d %s", r.status, r.body)
	}
	h.refused("unsigned", h.post("/api/v1/hooks/custom", kumaSample), http.StatusUnauthorized, "is missing")
	h.accepted(h.post("/api/v1/hooks/custom", kumaSample, "X-Hub-Signature-256", githubSign("whsec", kumaSample)), 1)
	delete(m, "secret")
	if r := h.session(http.MethodPut, path, m); !strings.Contains(r.body, `"has_secret":true`) {
		t.Fatalf("the secret was not kept: %s", r.body)
	}
	m["secret"] = ""
	if r := h.session(http.MethodPut, path, m); !strings.Contains(r.body, `"has_secret":false`) {
		t.Fatalf("the secret was not removed: %s", r.body)
	}
	h.accepted(h.post("/api/v1/hooks/custom", kumaSample), 1)
}
