package hooks_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

// alertmanagerGroup is an Alertmanager webhook body (version 4) written
// after the sample payload of Prometheus' webhook_config documentation:
// a critical probe failure with a summary and a warning without one. Both
// alerts have status, and the group status is that of the first.
func alertmanagerGroup(status, endsAt string) string {
	return fmt.Sprintf(`{
  "version": "4",
  "groupKey": "{}/{job=\"blackbox\"}:{alertname=\"ProbeFailure\"}",
  "truncatedAlerts": 0,
  "status": %[1]q,
  "receiver": "belfry",
  "groupLabels": {"alertname": "ProbeFailure"},
  "commonLabels": {"alertname": "ProbeFailure", "job": "blackbox"},
  "commonAnnotations": {},
  "externalURL": "http://alertmanager.home.arpa:9093",
  "alerts": [
    {
      "status": %[1]q,
      "labels": {"alertname": "ProbeFailure", "instance": "https://nas.home.arpa", "job": "blackbox", "severity": "critical"},
      "annotations": {"summary": "Probe failed: https://nas.home.arpa", "description": "https://nas.home.arpa has been down for more than 5 minutes.", "runbook_url": "https://wiki.home.arpa/runbooks/probe"},
      "startsAt": "2026-03-30T07:55:12.345678Z",
      "endsAt": %[2]q,
      "generatorURL": "http://prometheus.home.arpa:9090/graph?g0.expr=probe_success+%%3D%%3D+0\u0026g0.tab=1",
      "fingerprint": "1a30ba71cca2921f"
    },
    {
      "status": %[1]q,
      "labels": {"alertname": "ProbeSlow", "instance": "https://photos.home.arpa", "job": "blackbox", "severity": "warning"},
      "annotations": {},
      "startsAt": "2026-03-30T07:56:00Z",
      "endsAt": %[2]q,
      "generatorURL": "http://prometheus.home.arpa:9090/graph?g0.expr=probe_duration_seconds+%%3E+2",
      "fingerprint": "7be1d3fa0c9e1b22"
    }
  ]
}`, status, endsAt)
}

const notEnded = "0001-01-01T00:00:00Z"

// TestAlertmanagerFiringThenResolved: a firing group becomes one
// notification per alert, error for a critical one, warning otherwise,
// with the summary or instance in the title and the generator's link; a
// repeat adds nothing; the resolution marks both resolved — read, titled
// "Resolved: …" — and adds no second item.
func TestAlertmanagerFiringThenResolved(t *testing.T) {
	h := newHarness(t)
	res := h.accepted(h.post("/api/v1/hooks/alertmanager", alertmanagerGroup("firing", notEnded)), 2)

	n, data := h.notification(res.Notifications[0].ID)
	if n.UserID != h.alice.ID || n.Type != app.MessageType || n.Level != app.LevelError || n.Format != app.FormatText ||
		n.ServiceID != "alertmanager" || n.Title != "ProbeFailure: Probe failed: https://nas.home.arpa" ||
		n.TargetURL != "http://prometheus.home.arpa:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1" {
		t.Errorf("critical alert: %+v", n)
	}
	for _, want := range []string{"https://nas.home.arpa has been down for more than 5 minutes.",
		"Labels: instance=https://nas.home.arpa, job=blackbox, severity=critical", "Runbook: https://wiki.home.arpa/runbooks/probe",
		"Started: 2026-03-30 07:55:12 UTC"} {
		if !strings.Contains(n.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, n.Body)
		}
	}
	if data["source"] != "alertmanager" || data["fingerprint"] != "1a30ba71cca2921f" || data["status"] != "firing" ||
		data["receiver"] != "belfry" || data["starts_at"] != "2026-03-30T07:55:12Z" || data["labels"].(map[string]any)["severity"] != "critical" {
		t.Errorf("data %v", data)
	}
	if n.Object == nil || *n.Object != (app.ObjectRef{AppLabel: "alertmanager", ModelName: "alert", ObjectID: "1a30ba71cca2921f"}) {
		t.Errorf("object %+v", n.Object)
	}
	warn, _ := h.notification(res.Notifications[1].ID)
	if warn.Level != app.LevelWarning || warn.Title != "ProbeSlow on https://photos.home.arpa" {
		t.Errorf("warning alert: %s %q", warn.Level, warn.Title)
	}

	// Alertmanager sends the group again when it changes and at each
	// repeat_interval: nothing new.
	again := h.ok(h.post("/api/v1/hooks/alertmanager", alertmanagerGroup("firing", notEnded)))
	if again.Repeated != 2 || h.count(h.alice) != 2 {
		t.Fatalf("repeat: %+v, %d notifications", again, h.count(h.alice))
	}

	done := h.ok(h.post("/api/v1/hooks/alertmanager", alertmanagerGroup("resolved", "2026-03-30T08:10:00Z")))
	if len(done.Resolved) != 2 || done.Resolved[0] != res.Notifications[0] || done.Resolved[1] != res.Notifications[1] {
		t.Fatalf("resolved %+v, want %+v", done.Resolved, res.Notifications)
	}
	n, data = h.notification(res.Notifications[0].ID)
	if !n.IsRead() || n.Title != "Resolved: ProbeFailure: Probe failed: https://nas.home.arpa" ||
		data["status"] != "resolved" || data["resolved_at"] == nil {
		t.Errorf("after the resolution: read %v, %q, %v", n.IsRead(), n.Title, data)
	}
	if unread, _ := h.a.Notifications.UnreadCount(context.Background(), h.alice.ID); unread != 0 || h.count(h.alice) != 2 {
		t.Errorf("%d unread of %d after the resolution, want 0 of 2", unread, h.count(h.alice))
	}

	// A resolution Belfry already handled, or whose firing it never saw,
	// changes nothing.
	if r := h.ok(h.post("/api/v1/hooks/alertmanager", alertmanagerGroup("resolved", "2026-03-30T08:10:00Z"))); len(r.Resolved) != 0 {
		t.Errorf("resolved twice: %+v", r)
	}
	// It fires again later: a new notification.
	refire := strings.ReplaceAll(alertmanagerGroup("firing", notEnded), "2026-03-30T07:5", "2026-03-30T09:5")
	h.accepted(h.post("/api/v1/hooks/alertmanager", refire), 2)
}

// TestAlertResolutionReachesOnlyThePublishersAlerts: another user's token
// resolving the same fingerprint touches nothing of alice's.
func TestAlertResolutionReachesOnlyThePublishersAlerts(t *testing.T) {
	h := newHarness(t)
	res := h.accepted(h.post("/api/v1/hooks/alertmanager", alertmanagerGroup("firing", notEnded)), 2)
	bob := h.a.Token(h.a.User("bob", false), app.ScopePublish)
	r := h.ok(h.send(http.MethodPost, "/api/v1/hooks/alertmanager", "application/json",
		alertmanagerGroup("resolved", "2026-03-30T08:10:00Z"), "Authorization", "Bearer "+bob))
	if len(r.Resolved) != 0 {
		t.Fatalf("bob resolved %+v", r.Resolved)
	}
	if n, _ := h.notification(res.Notifications[0].ID); n.IsRead() {
		t.Fatal("bob's resolution marked alice's alert read")
	}
}

// grafanaGroup is a Grafana webhook contact point body written after the
// example of Grafana's webhook notifier documentation: Grafana adds
// orgId, title, state, message, and per alert the silence, dashboard and
// panel URLs and the values of the rule's expressions.
func grafanaGroup(status string) string {
	return fmt.Sprintf(`{
  "receiver": "Belfry",
  "status": %[1]q,
  "orgId": 1,
  "alerts": [
    {
      "status": %[1]q,
      "labels": {"alertname": "High memory usage", "team": "blue", "zone": "us-1"},
      "annotations": {"description": "The system has high memory usage", "runbook_url": "https://myrunbook.com/runbook/1234", "summary": "This alert was triggered for zone us-1"},
      "startsAt": "2021-10-12T09:51:03.157076+02:00",
      "endsAt": "0001-01-01T00:00:00Z",
      "generatorURL": "https://play.grafana.org/alerting/1afz29v7z/edit",
      "fingerprint": "c6eadffa33fcdf37",
      "silenceURL": "https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%%3DT2%%2Cteam%%3Dblue%%2Czone%%3Dus-1",
      "dashboardURL": "https://play.grafana.org/d/mem",
      "panelURL": "https://play.grafana.org/d/mem?viewPanel=3",
      "values": {"B": 44.23943737541908, "C": 1}
    }
  ],
  "groupLabels": {},
  "commonLabels": {"team": "blue"},
  "commonAnnotations": {},
  "externalURL": "https://play.grafana.org/",
  "version": "1",
  "groupKey": "{}:{}",
  "truncatedAlerts": 0,
  "title": "[%[2]s] High memory usage",
  "state": "alerting",
  "message": "**Firing**\n\nValue: B=44.2"
}`, status, strings.ToUpper(status))
}

// TestGrafanaFiringThenResolved: Grafana's alert links to its panel, shows
// its values and silence link; the resolution resolves it. Grafana may use
// PUT.
func TestGrafanaFiringThenResolved(t *testing.T) {
	h := newHarness(t)
	res := h.accepted(h.post("/api/v1/hooks/grafana?topic=homelab", grafanaGroup("firing")), 1)
	n, data := h.notification(res.Notifications[0].ID)
	if n.Level != app.LevelWarning || n.Title != "High memory usage: This alert was triggered for zone us-1" ||
		n.TargetURL != "https://play.grafana.org/d/mem?viewPanel=3" || n.ServiceID != "homelab" {
		t.Errorf("%+v", n)
	}
	for _, want := range []string{"The system has high memory usage", "Labels: team=blue, zone=us-1",
		"Values: B=44.23943737541908, C=1", "Silence: https://play.grafana.org/alerting/silence/new?", "Started: 2021-10-12 07:51:03 UTC"} {
		if !strings.Contains(n.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, n.Body)
		}
	}
	if data["source"] != "grafana" || data["topic"] != "homelab" || data["dashboard_url"] != "https://play.grafana.org/d/mem" {
		t.Errorf("data %v", data)
	}
	r := h.send(http.MethodPut, "/api/v1/hooks/grafana?topic=homelab", "application/json", grafanaGroup("resolved"), "Authorization", "Bearer "+h.token)
	if done := h.ok(r); len(done.Resolved) != 1 || done.Resolved[0].ID != n.ID {
		t.Fatalf("resolved %+v", done)
	}
	if n, _ := h.notification(n.ID); !n.IsRead() || !strings.HasPrefix(n.Title, app.ResolvedPrefix) {
		t.Errorf("after the resolution: read %v, %q", n.IsRead(), n.Title)
	}
}

// TestAlertWithoutFingerprint: Alertmanager before 0.19 sent no
// fingerprint; the labels tell the alert, so its resolution still finds
// it.
func TestAlertWithoutFingerprint(t *testing.T) {
	h := newHarness(t)
	group := func(status string) string {
		return `{"status":"` + status + `","alerts":[{"status":"` + status + `","labels":{"alertname":"DiskFull","instance":"nas"},
			"startsAt":"2026-03-30T07:00:00Z"}]}`
	}
	res := h.accepted(h.post("/api/v1/hooks/alertmanager", group("firing")), 1)
	_, data := h.notification(res.Notifications[0].ID)
	if fp, _ := data["fingerprint"].(string); len(fp) != 16 {
		t.Errorf("fingerprint %v", data["fingerprint"])
	}
	if done := h.ok(h.post("/api/v1/hooks/alertmanager", group("resolved"))); len(done.Resolved) != 1 {
		t.Fatalf("resolved %+v", done)
	}
}

// TestHookAuthentication: every way a sender can present the token, and
// every way of getting it wrong.
func TestHookAuthentication(t *testing.T) {
	h := newHarness(t)
	body := alertmanagerGroup("firing", notEnded)
	basic := func(user, password string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	}
	for name, auth := range map[string][]string{
		"bearer":               {"Authorization", "Bearer " + h.token},
		"basic token password": {"Authorization", basic("alertmanager", h.token)},
		"basic empty username": {"Authorization", basic("", h.token)},
		"basic token username": {"Authorization", basic(h.token, "")},
	} {
		r := h.send(http.MethodPost, "/api/v1/hooks/alertmanager?topic="+strings.ReplaceAll(name, " ", "-"), "application/json", body, auth...)
		h.accepted(r, 2)
	}
	if r := h.send(http.MethodPost, "/api/v1/hooks/alertmanager?topic=query&token="+h.token, "application/json", body); r.status != http.StatusAccepted {
		t.Errorf("?token=: %d %s", r.status, r.body)
	}
	admin := h.a.TokenFor("root", true, app.ScopeAdmin)
	h.accepted(h.send(http.MethodPost, "/api/v1/hooks/alertmanager?topic=admin", "application/json", body, "Authorization", "Bearer "+admin), 2)

	client := h.a.Token(h.alice, app.ScopeClient)
	for name, c := range map[string]struct {
		path    string
		headers []string
		status  int
		want    string
	}{
		"none":           {"/api/v1/hooks/alertmanager", nil, 401, "needs a publish token"},
		"unknown token":  {"/api/v1/hooks/alertmanager", []string{"Authorization", "Bearer blf_" + strings.Repeat("A", 43)}, 401, "unknown or revoked"},
		"malformed":      {"/api/v1/hooks/alertmanager?token=nope", nil, 401, "malformed"},
		"other scheme":   {"/api/v1/hooks/alertmanager", []string{"Authorization", "Token " + h.token}, 401, "Bearer <token>"},
		"basic no token": {"/api/v1/hooks/alertmanager", []string{"Authorization", basic("", "")}, 401, "Basic with the token"},
		"basic garbage":  {"/api/v1/hooks/alertmanager", []string{"Authorization", "Basic !!!"}, 401, "Basic with the token"},
		"client token":   {"/api/v1/hooks/alertmanager", []string{"Authorization", "Bearer " + client}, 403, "client token may not publish"},
		"session":        {"/api/v1/hooks/alertmanager", []string{"Cookie", "belfry_session=" + h.a.Session(h.alice)}, 401, "needs a publish token"},
	} {
		h.refused(name, h.send(http.MethodPost, c.path, "application/json", body, c.headers...), c.status, c.want)
	}
}

// TestAlertBadInput: every malformed body is a 4xx naming the problem,
// and nothing is published.
func TestAlertBadInput(t *testing.T) {
	h := newHarness(t)
	var many strings.Builder
	many.WriteString(`{"alerts":[`)
	for i := range 501 {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `{"status":"firing","fingerprint":"f%d"}`, i)
	}
	many.WriteString(`]}`)
	good := alertmanagerGroup("firing", notEnded)
	for name, c := range map[string]struct {
		path, body string
		status     int
		want       string
	}{
		"empty":         {"/api/v1/hooks/alertmanager", "", 400, "empty"},
		"not JSON":      {"/api/v1/hooks/alertmanager", "alert!", 400, "not valid JSON (at byte 1)"},
		"trailing":      {"/api/v1/hooks/alertmanager", good + "x", 400, "not valid JSON"},
		"array":         {"/api/v1/hooks/alertmanager", "[]", 400, "must be an object"},
		"alerts string": {"/api/v1/hooks/alertmanager", `{"alerts":"x"}`, 400, "Field alerts must be an array"},
		"label number":  {"/api/v1/hooks/alertmanager", `{"alerts":[{"status":"firing","labels":{"a":1}}]}`, 400, "Field alerts.labels must be a string, not number"},
		"bad time":      {"/api/v1/hooks/alertmanager", `{"alerts":[{"status":"firing","fingerprint":"f","startsAt":"yesterday"}]}`, 400, "not valid"},
		"no alerts":     {"/api/v1/hooks/alertmanager", `{"status":"firing","alerts":[]}`, 400, "at least one alert"},
		"bad status":    {"/api/v1/hooks/grafana", `{"alerts":[{"status":"pending","fingerprint":"f"}]}`, 400, "alerts[0].status must be firing or resolved"},
		"unidentified":  {"/api/v1/hooks/alertmanager", `{"alerts":[{"status":"firing"}]}`, 400, "neither a fingerprint nor labels"},
		"long print":    {"/api/v1/hooks/alertmanager", `{"alerts":[{"status":"firing","fingerprint":"` + strings.Repeat("f", 129) + `"}]}`, 400, "fingerprint is longer than 128"},
		"many alerts":   {"/api/v1/hooks/alertmanager", many.String(), 413, "at most 500 alerts"},
		"too large":     {"/api/v1/hooks/alertmanager", `{"receiver":"` + strings.Repeat("x", 1<<20) + `"}`, 413, "larger than 1024 KiB"},
		"unknown type":  {"/api/v1/hooks/alertmanager?type=nope", good, 400, `Unknown notification type "nope"`},
		"long topic":    {"/api/v1/hooks/alertmanager?topic=" + strings.Repeat("t", 129), good, 400, "Parameter topic"},
		"second bad":    {"/api/v1/hooks/alertmanager", strings.Replace(good, `"fingerprint": "7be1d3fa0c9e1b22"`, `"fingerprint": "`+strings.Repeat("f", 200)+`"`, 1), 400, "alerts[1].fingerprint"},
	} {
		h.refused(name, h.post(c.path, c.body), c.status, c.want)
	}
	if n := h.count(h.alice); n != 0 {
		t.Errorf("%d notifications published by bad requests", n)
	}
	if r := h.post("/api/v1/hooks/alertmanager?type=job_failed", good); r.status != http.StatusAccepted {
		t.Errorf("a known type: %d %s", r.status, r.body)
	}
}
