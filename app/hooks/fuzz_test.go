package hooks

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
)

// Seeds written after the tools' documented samples (Prometheus'
// webhook_config, Grafana's webhook notifier, GitHub's webhook events).
const (
	seedAlertmanager = `{"version":"4","groupKey":"{}:{alertname=\"ProbeFailure\"}","status":"firing","receiver":"sms",
		"alerts":[{"status":"firing","labels":{"alertname":"ProbeFailure","instance":"https://server.example.org","severity":"critical"},
		"annotations":{"summary":"BlackBox Probe Failure: https://server.example.org","description":"down for over 5m"},
		"startsAt":"2023-02-06T13:08:45.828Z","endsAt":"0001-01-01T00:00:00Z",
		"generatorURL":"http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0","fingerprint":"1a30ba71cca2921f"}],
		"externalURL":"http://prometheus.example.org:9093","truncatedAlerts":0}`
	seedGrafana = `{"receiver":"My Super Webhook","status":"resolved","orgId":1,"alerts":[{"status":"resolved",
		"labels":{"alertname":"High memory usage","team":"blue"},"annotations":{"runbook_url":"https://myrunbook.com/runbook/1234"},
		"startsAt":"2021-10-12T09:51:03.157076+02:00","endsAt":"2021-10-12T09:56:03.157076+02:00",
		"generatorURL":"https://play.grafana.org/alerting/1afz29v7z/edit","fingerprint":"c6eadffa33fcdf37",
		"silenceURL":"https://play.grafana.org/alerting/silence/new","dashboardURL":"","panelURL":"","values":{"B":44.2,"C":1}}],
		"version":"1","title":"[RESOLVED] High memory usage","state":"ok"}`
	seedPush = `{"ref":"refs/heads/main","compare":"https://github.com/Codertocat/Hello-World/compare/6113728f27ae...ec26c3e57ca3",
		"commits":[{"id":"32c457ac10563a7d2913916625db5526cde7b771","message":"Update README.md","author":{"name":"Codertocat"}}],
		"pusher":{"name":"Codertocat"},"repository":{"full_name":"Codertocat/Hello-World","html_url":"https://github.com/Codertocat/Hello-World"},
		"sender":{"login":"Codertocat"}}`
	seedRun = `{"action":"completed","workflow_run":{"name":"CI","head_branch":"main","conclusion":"failure","run_number":163,
		"html_url":"https://github.com/octo-org/octo-repo/actions/runs/289782451"},"repository":{"full_name":"octo-org/octo-repo"}}`
)

// checkLimits fails unless a message stays within the event's limits.
func checkLimits(t *testing.T, title, body string, data map[string]any) {
	t.Helper()
	if len(title) > app.MaxTitleLen || len(body) > app.MaxBodyLen || !utf8.ValidString(title) || !utf8.ValidString(body) {
		t.Fatalf("title %d bytes, body %d bytes, valid %v %v", len(title), len(body), utf8.ValidString(title), utf8.ValidString(body))
	}
	if b, err := json.Marshal(data); err != nil || len(b) > app.MaxDataLen {
		t.Fatalf("data of %d bytes, %v", len(b), err)
	}
}

// FuzzAlerts: any body either is refused or maps every firing alert to a
// message within the limits.
func FuzzAlerts(f *testing.F) {
	f.Add([]byte(seedAlertmanager))
	f.Add([]byte(seedGrafana))
	f.Add([]byte(`{"alerts":[{"status":"firing","labels":{"alertname":"x"}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseAlerts(body)
		if err != nil {
			if app.ErrorKind(err) != app.EINVALID && app.ErrorKind(err) != app.ETOOLARGE {
				t.Fatalf("error of kind %s: %v", app.ErrorKind(err), err)
			}
			return
		}
		for i := range p.Alerts {
			if p.Alerts[i].Fingerprint == "" || len(p.Alerts[i].Fingerprint) > maxFingerprint {
				t.Fatalf("fingerprint %q", p.Alerts[i].Fingerprint)
			}
			m := alertMessage(sourceAlertmanager, target{topic: "alertmanager"}, &p.Alerts[i], p)
			checkLimits(t, m.Title, m.Body, m.Data)
		}
	})
}

// FuzzGitHub: any event and body either is refused or maps to a message
// within the limits, or to a reason it is not notified.
func FuzzGitHub(f *testing.F) {
	f.Add("push", []byte(seedPush))
	f.Add("workflow_run", []byte(seedRun))
	f.Add("ping", []byte(`{"zen":"Keep it logically awesome.","hook_id":1}`))
	f.Add("check_run", []byte(`{"action":"completed","check_run":{"name":"lint","conclusion":"timed_out"}}`))
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		if !eventName.MatchString(event) { // the handler refuses it
			return
		}
		var p githubPayload
		if err := decode(body, &p); err != nil {
			return
		}
		m, ignored := githubMessage(event, &p)
		if ignored == "" {
			checkLimits(t, m.Title, m.Body, nil)
		}
	})
}

// FuzzMapping: any template either is refused when parsed or renders any
// input within the field limits, without panicking.
func FuzzMapping(f *testing.F) {
	f.Add(`{{.monitor.name}} is {{if eq .heartbeat.status 0}}down{{else}}up{{end}}`, []byte(`{"heartbeat":{"status":0},"monitor":{"name":"NAS"}}`))
	f.Add(`{{range .alerts}}{{.labels.alertname}} {{end}}`, []byte(seedAlertmanager))
	f.Add(`{{printf "%5.2f" .x | upper}} {{join "," .l}}`, []byte(`{"x":1.5,"l":["a"]}`))
	f.Fuzz(func(t *testing.T, tmpl string, input []byte) {
		c, err := compile(&app.TokenMapping{Title: tmpl, Body: tmpl})
		if err != nil {
			return
		}
		v, err := parseInput(input, "Input")
		if err != nil {
			return
		}
		p, err := c.render(v, input)
		if err != nil {
			if app.ErrorKind(err) != app.EINVALID {
				t.Fatalf("error of kind %s: %v", app.ErrorKind(err), err)
			}
			return
		}
		if len(p.Title) > app.MaxTitleLen || len(p.Body) > app.MaxBodyLen {
			t.Fatalf("title %d, body %d bytes", len(p.Title), len(p.Body))
		}
	})
}
