package hooks

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/ingest"
	"github.com/belfry/belfry/app/web"
)

// alertPayload is the webhook body of Prometheus Alertmanager (version
// "4") and of Grafana's webhook contact point, which extends it (version
// "1"): a group of alerts, each firing or resolved.
type alertPayload struct {
	Receiver    string  `json:"receiver"`
	Status      string  `json:"status"`
	Alerts      []alert `json:"alerts"`
	ExternalURL string  `json:"externalURL"`
	GroupKey    string  `json:"groupKey"`
}

// alert is one alert of a group. Grafana adds the silence, dashboard and
// panel URLs and the values of the rule's expressions.
type alert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
	SilenceURL   string            `json:"silenceURL"`
	DashboardURL string            `json:"dashboardURL"`
	PanelURL     string            `json:"panelURL"`
	Values       map[string]any    `json:"values"`
	ValueString  string            `json:"valueString"`
}

const (
	statusFiring   = "firing"
	statusResolved = "resolved"
	// maxFingerprint bounds a fingerprint (Alertmanager's are 16 hex
	// digits); it is the object_id of the alert's notifications.
	maxFingerprint = 128
)

// parseAlerts decodes and checks an alert group. Errors: EINVALID naming
// the alert and field, ETOOLARGE for more than MaxAlerts alerts.
func parseAlerts(body []byte) (*alertPayload, error) {
	var p alertPayload
	if err := decode(body, &p); err != nil {
		return nil, err
	}
	switch {
	case len(p.Alerts) == 0:
		return nil, app.Errorf(app.EINVALID, "Field alerts must list at least one alert.")
	case len(p.Alerts) > MaxAlerts:
		return nil, app.Errorf(app.ETOOLARGE, "A request may carry at most %d alerts, not %d; set max_alerts in the webhook's configuration.", MaxAlerts, len(p.Alerts))
	}
	for i := range p.Alerts {
		a := &p.Alerts[i]
		if a.Status != statusFiring && a.Status != statusResolved {
			return nil, app.Errorf(app.EINVALID, "Field alerts[%d].status must be firing or resolved, not %q.", i, clipText(a.Status, 32))
		}
		if a.Fingerprint == "" {
			if len(a.Labels) == 0 {
				return nil, app.Errorf(app.EINVALID, "Alert alerts[%d] has neither a fingerprint nor labels to tell it by.", i)
			}
			a.Fingerprint = labelFingerprint(a.Labels)
		}
		if len(a.Fingerprint) > maxFingerprint {
			return nil, app.Errorf(app.EINVALID, "Field alerts[%d].fingerprint is longer than %d bytes.", i, maxFingerprint)
		}
	}
	return &p, nil
}

// labelFingerprint tells an alert by its labels when its sender gave no
// fingerprint (Alertmanager before 0.19).
func labelFingerprint(labels map[string]string) string {
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		fmt.Fprintf(h, "%s\xff%s\xff", k, labels[k])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// alertLevel is error for an alert whose severity label says critical,
// error, fatal or page, and warning otherwise.
func alertLevel(labels map[string]string) app.Level {
	switch strings.ToLower(strings.TrimSpace(labels["severity"])) {
	case "critical", "error", "fatal", "page":
		return app.LevelError
	}
	return app.LevelWarning
}

// alertTitle is the alert's name with its summary, or else the instance it
// is about: "HighLatency: Latency above 500 ms", "NodeDown on nas:9100".
func alertTitle(a *alert) string {
	name := strings.TrimSpace(a.Labels["alertname"])
	if name == "" {
		name = "Alert"
	}
	if s := strings.TrimSpace(a.Annotations["summary"]); s != "" {
		return name + ": " + s
	}
	if in := strings.TrimSpace(a.Labels["instance"]); in != "" {
		return name + " on " + in
	}
	return name
}

// alertBody is the description, then the labels, the values, the other
// annotations and the silence link, as plain text.
func alertBody(a *alert) string {
	var b strings.Builder
	if d := strings.TrimSpace(a.Annotations["description"]); d != "" {
		b.WriteString(d + "\n\n")
	}
	var labels []string
	for _, k := range slices.Sorted(maps.Keys(a.Labels)) {
		if k != "alertname" {
			labels = append(labels, k+"="+a.Labels[k])
		}
	}
	if len(labels) > 0 {
		b.WriteString("Labels: " + strings.Join(labels, ", ") + "\n")
	}
	if len(a.Values) > 0 {
		var vs []string
		for _, k := range slices.Sorted(maps.Keys(a.Values)) {
			vs = append(vs, fmt.Sprintf("%s=%v", k, a.Values[k]))
		}
		b.WriteString("Values: " + strings.Join(vs, ", ") + "\n")
	} else if a.ValueString != "" {
		b.WriteString("Value: " + a.ValueString + "\n")
	}
	for _, k := range slices.Sorted(maps.Keys(a.Annotations)) {
		if k != "summary" && k != "description" {
			b.WriteString(annotationName(k) + ": " + a.Annotations[k] + "\n")
		}
	}
	if !a.StartsAt.IsZero() {
		b.WriteString("Started: " + a.StartsAt.UTC().Format("2006-01-02 15:04:05 UTC") + "\n")
	}
	if a.SilenceURL != "" {
		b.WriteString("Silence: " + a.SilenceURL + "\n")
	}
	return clipText(strings.TrimRight(b.String(), "\n"), app.MaxBodyLen)
}

// annotationName shows runbook_url as "Runbook".
func annotationName(k string) string {
	if k == "runbook_url" {
		return "Runbook"
	}
	return k
}

// alertLink is where the notification leads: Grafana's panel or dashboard,
// the rule's generator, or the Alertmanager.
func alertLink(a *alert, p *alertPayload) string {
	return firstURL(a.PanelURL, a.DashboardURL, a.GeneratorURL, p.ExternalURL)
}

// firstURL returns the first of candidates that is an absolute http(s)
// URL within the target URL limit, "" when none is.
func firstURL(candidates ...string) string {
	for _, s := range candidates {
		s = strings.TrimSpace(s)
		if s == "" || len(s) > app.MaxURLLen {
			continue
		}
		if u, err := url.Parse(s); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return s
		}
	}
	return ""
}

// alertMessage maps a firing alert to the message published for it.
func alertMessage(source string, t target, a *alert, p *alertPayload) ingest.Message {
	data := map[string]any{
		"status": a.Status, "fingerprint": a.Fingerprint, "labels": a.Labels, "annotations": a.Annotations,
		"receiver": p.Receiver, "group_key": p.GroupKey, "values": a.Values,
		"generator_url": a.GeneratorURL, "silence_url": a.SilenceURL, "dashboard_url": a.DashboardURL, "panel_url": a.PanelURL,
	}
	if !a.StartsAt.IsZero() {
		data["starts_at"] = a.StartsAt.UTC().Format(time.RFC3339)
	}
	return ingest.Message{
		Source: source, Topic: t.topic, Type: t.typ, Title: clipText(alertTitle(a), app.MaxTitleLen),
		Body: alertBody(a), Level: alertLevel(a.Labels), TargetURL: alertLink(a, p),
		Object: &app.ObjectRef{AppLabel: source, ModelName: "alert", ObjectID: a.Fingerprint},
		Data:   boundData(data, "annotations", "labels", "values", "group_key"),
	}
}

// dataBudget is what a hook keeps in data at most, leaving room for what
// ingest and a resolution add.
const dataBudget = app.MaxDataLen - 1024

// boundData drops empty values from data, then the keys of drop, in
// order, until it fits in dataBudget.
func boundData(data map[string]any, drop ...string) map[string]any {
	for k, v := range data {
		if isEmpty(v) {
			delete(data, k)
		}
	}
	for _, k := range drop {
		if b, err := json.Marshal(data); err == nil && len(b) <= dataBudget {
			break
		}
		delete(data, k)
	}
	return data
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case map[string]string:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// clipText cuts s to at most n bytes of valid UTF-8, marking the cut with
// "…".
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return web.Clip(s, n-len("…"))
}
