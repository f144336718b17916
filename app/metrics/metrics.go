// Package metrics is Belfry's Prometheus endpoint. A Registry holds the
// metrics of one server: the HTTP requests it answered (Middleware), the
// group commits of its database writer (ObserveCommit), the notification
// changes on its bus (CountChange), the Go runtime and the process, and
// whatever each capability reports through GaugeFunc and CounterFunc —
// functions read at scrape time, so a capability only has to keep its own
// counters (usually a Stats method) and register one function per value.
//
// Every Belfry metric is named belfry_… with its unit (_seconds, _bytes)
// or _total for counters.
package metrics

import (
	"fmt"
	"net/http"
	"regexp"
	"runtime"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry is the metrics of one server. It is safe for concurrent use;
// registering panics on an invalid or duplicate metric (a wiring mistake,
// found by the first test that builds the server).
type Registry struct {
	reg *prometheus.Registry

	requests    *prometheus.CounterVec
	durations   *prometheus.HistogramVec
	batchSizes  prometheus.Histogram
	commitTimes prometheus.Histogram
	changes     *prometheus.CounterVec
	published   prometheus.Counter
}

// New returns a Registry with Belfry's built-in metrics, the Go runtime's
// and the process's, and belfry_build_info carrying version.
func New(version string) *Registry {
	r := &Registry{reg: prometheus.NewRegistry()}
	r.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	r.GaugeFunc("belfry_build_info", "Always 1; the labels say which build runs.",
		func() float64 { return 1 }, "version", version, "goversion", runtime.Version())
	r.newHTTPMetrics()
	r.newStoreMetrics()
	r.newChangeMetrics()
	return r
}

// GaugeFunc adds a gauge whose value fn returns at every scrape. labels
// are constant label pairs ("endpoint", "notification"): one name may be
// registered several times with different label values. fn must be quick
// and safe for concurrent use.
func (r *Registry) GaugeFunc(name, help string, fn func() float64, labels ...string) {
	checkName(name)
	r.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: name, Help: help, ConstLabels: labelPairs(labels),
	}, fn))
}

// CounterFunc adds a counter whose value fn returns at every scrape; fn
// must never decrease (a restart starts again from zero). See GaugeFunc.
func (r *Registry) CounterFunc(name, help string, fn func() float64, labels ...string) {
	checkName(name)
	if !strings.HasSuffix(name, "_total") {
		panic(fmt.Sprintf("metrics: counter %q must end in _total", name))
	}
	r.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: name, Help: help, ConstLabels: labelPairs(labels),
	}, fn))
}

// Handler serves the metrics in the Prometheus text format (gzipped when
// the scraper asks). A failing collector is reported in the response and
// the other metrics are still served.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// validName is the naming rule of Belfry's own metrics.
var validName = regexp.MustCompile(`^belfry_[a-z0-9_]+$`)

func checkName(name string) {
	if !validName.MatchString(name) {
		panic(fmt.Sprintf("metrics: %q is not a belfry_… metric name (lower case, digits, underscores)", name))
	}
}

// labelPairs turns "k1", "v1", "k2", "v2" into labels.
func labelPairs(kv []string) prometheus.Labels {
	if len(kv)%2 != 0 {
		panic(fmt.Sprintf("metrics: odd number of label strings %q", kv))
	}
	if len(kv) == 0 {
		return nil
	}
	l := prometheus.Labels{}
	for i := 0; i < len(kv); i += 2 {
		l[kv[i]] = kv[i+1]
	}
	return l
}
