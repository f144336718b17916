package deploy

import (
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/goccy/go-yaml"
)

// exposition is what /metrics of a running server shows: every metric
// family with the label names its series carry.
type exposition map[string]map[string]bool

// scrapeRunning starts the whole application, publishes one event (so that
// the per-route HTTP series exist) and parses its /metrics.
func scrapeRunning(t *testing.T) exposition {
	t.Helper()
	a := servertest.New(t)
	token := a.TokenFor("alice", false, app.ScopePublish)
	rec := a.Do("POST", "/api/v1/events", `{"type":"job_completed","title":"observability kit"}`, servertest.Bearer(token))
	if rec.Code != http.StatusAccepted {
		t.Fatalf("publish: %d %s", rec.Code, rec.Body)
	}
	resp, err := http.Get(a.URL + "/metrics") // from loopback, as a local Prometheus
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, body)
	}
	exp := exposition{}
	series := regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? `)
	label := regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="`)
	for _, line := range strings.Split(string(body), "\n") {
		m := series.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if exp[m[1]] == nil {
			exp[m[1]] = map[string]bool{}
		}
		for _, l := range label.FindAllStringSubmatch(m[2], -1) {
			exp[m[1]][l[1]] = true
		}
	}
	return exp
}

// metricRef is a metric an expression names, with the label names of its
// matchers.
type metricRef struct {
	name   string
	labels []string
}

// prometheusOwn are names Prometheus itself adds: the up series and the
// target labels of every scraped series.
var (
	prometheusOwn = map[string]bool{"up": true}
	targetLabels  = map[string]bool{"job": true, "instance": true, "le": true}
)

// metricRefs finds the metrics that a PromQL expression names. Belfry's,
// the Go runtime's and the process's all have prefixes that no function,
// keyword or label uses.
func metricRefs(expr string) []metricRef {
	var out []metricRef
	re := regexp.MustCompile(`\b((?:belfry|go|process)_[a-zA-Z0-9_]+|up)\b(\{[^}]*\})?`)
	for _, m := range re.FindAllStringSubmatch(expr, -1) {
		ref := metricRef{name: m[1]}
		for _, l := range regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)`).FindAllStringSubmatch(m[2], -1) {
			ref.labels = append(ref.labels, l[1])
		}
		out = append(out, ref)
	}
	return out
}

// checkRefs fails for every metric of exprs that the exposition lacks, and
// every label matcher naming a label its series do not carry.
func checkRefs(t *testing.T, what string, exprs []string, exp exposition) map[string]bool {
	t.Helper()
	used := map[string]bool{}
	for _, expr := range exprs {
		refs := metricRefs(expr)
		if len(refs) == 0 {
			t.Errorf("%s: expression %q names no metric", what, expr)
		}
		for _, ref := range refs {
			used[ref.name] = true
			if prometheusOwn[ref.name] {
				continue
			}
			labels, ok := exp[ref.name]
			if !ok {
				t.Errorf("%s: %s is not in /metrics of a running Belfry (expression %q)", what, ref.name, expr)
				continue
			}
			for _, l := range ref.labels {
				if !labels[l] && !targetLabels[l] {
					t.Errorf("%s: %s has no label %q (expression %q)", what, ref.name, l, expr)
				}
			}
		}
	}
	return used
}

// exprs collects the values of every "expr" key in a decoded JSON document.
func exprs(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s, ok := x[k].(string); ok && k == "expr" {
				out = append(out, s)
			} else {
				out = append(out, exprs(x[k])...)
			}
		}
	case []any:
		for _, e := range x {
			out = append(out, exprs(e)...)
		}
	}
	return out
}

// kitCovers are the metrics of what a homelab watches: publish rate and
// latency, sockets, dropped slow clients, outbox backlog and failures,
// database size, storm state.
var kitCovers = []string{"belfry_notifications_published_total", "belfry_http_request_duration_seconds_bucket",
	"belfry_ws_sockets", "belfry_ws_slow_disconnects_total", "belfry_webhook_queue_depth",
	"belfry_webhook_deliveries_total", "belfry_db_size_bytes", "belfry_storm_activations_total"}

func TestGrafanaDashboard(t *testing.T) {
	var dash struct {
		Title      string           `json:"title"`
		UID        string           `json:"uid"`
		Panels     []map[string]any `json:"panels"`
		Templating struct {
			List []struct{ Name, Type string } `json:"list"`
		} `json:"templating"`
	}
	text := read(t, "grafana-dashboard.json")
	if err := json.Unmarshal([]byte(text), &dash); err != nil {
		t.Fatalf("grafana-dashboard.json: %v", err)
	}
	if dash.Title == "" || dash.UID == "" || len(dash.Panels) < 10 {
		t.Fatalf("dashboard %q (uid %q) with %d panels", dash.Title, dash.UID, len(dash.Panels))
	}
	vars := map[string]string{}
	for _, v := range dash.Templating.List {
		vars[v.Name] = v.Type
	}
	if vars["datasource"] != "datasource" || vars["job"] != "query" {
		t.Fatalf("the dashboard needs a datasource and a job variable: %v", vars)
	}
	ids := map[float64]bool{}
	for _, p := range dash.Panels {
		id, _ := p["id"].(float64)
		if ids[id] || p["title"] == "" {
			t.Errorf("panel %v: duplicate id or no title", p["title"])
		}
		ids[id] = true
		if ds, _ := p["datasource"].(map[string]any); ds["uid"] != "${datasource}" {
			t.Errorf("panel %v does not use the datasource variable", p["title"])
		}
		if len(exprs(p)) == 0 {
			t.Errorf("panel %v has no query", p["title"])
		}
	}
	var doc any
	_ = json.Unmarshal([]byte(text), &doc)
	all := exprs(doc)
	for _, e := range all {
		if strings.Contains(e, "belfry_") && !strings.Contains(e, `job=~"$job"`) {
			t.Errorf("expression %q ignores the job variable", e)
		}
	}
	used := checkRefs(t, "grafana-dashboard.json", all, scrapeRunning(t))
	for _, name := range kitCovers {
		if !used[name] {
			t.Errorf("the dashboard shows no %s", name)
		}
	}
}

// rules is the shape of a Prometheus rule file.
type rules struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func TestPrometheusRules(t *testing.T) {
	var doc rules
	if err := yaml.UnmarshalWithOptions([]byte(read(t, "prometheus-rules.yml")), &doc, yaml.Strict()); err != nil {
		t.Fatalf("prometheus-rules.yml: %v", err)
	}
	var all []string
	names := map[string]bool{}
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || names[r.Alert] || r.Annotations["summary"] == "" {
				t.Errorf("rule %q: no or a duplicate name, or no summary", r.Alert)
			}
			names[r.Alert] = true
			switch r.Labels["severity"] {
			case "critical", "warning", "info":
			default:
				t.Errorf("rule %s: severity %q, want critical, warning or info", r.Alert, r.Labels["severity"])
			}
			all = append(all, r.Expr)
		}
	}
	if len(all) < 8 {
		t.Fatalf("only %d rules", len(all))
	}
	used := checkRefs(t, "prometheus-rules.yml", all, scrapeRunning(t))
	for _, name := range []string{"belfry_webhook_queue_depth", "belfry_webhook_deliveries_total", "belfry_ws_slow_disconnects_total",
		"belfry_db_commit_seconds_bucket", "belfry_db_size_bytes", "belfry_storm_activations_total"} {
		if !used[name] {
			t.Errorf("no rule watches %s", name)
		}
	}
}

// TestPrometheusRulesPromtool runs Debian's promtool (package prometheus,
// installed by `make test` when apt can) on the rules.
func TestPrometheusRulesPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (Debian: apt-get install prometheus)")
	}
	out, err := exec.Command(promtool, "check", "rules", "prometheus-rules.yml").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "SUCCESS") {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}

// TestMetricRefs checks the extraction the tests above rely on.
func TestMetricRefs(t *testing.T) {
	got := metricRefs(`histogram_quantile(0.99, sum by (instance, le) (rate(belfry_db_commit_seconds_bucket{job="belfry", route=~"/x"}[5m]))) > 0.1 and up == 0 or go_goroutines`)
	want := []metricRef{{"belfry_db_commit_seconds_bucket", []string{"job", "route"}}, {"up", nil}, {"go_goroutines", nil}}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i := range want {
		if got[i].name != want[i].name || strings.Join(got[i].labels, ",") != strings.Join(want[i].labels, ",") {
			t.Fatalf("%+v, want %+v", got, want)
		}
	}
}
