package metrics

import (
	"github.com/belfry/belfry/app"
	"github.com/prometheus/client_golang/prometheus"
)

// changeKinds names the kinds of app.Change as label values.
var changeKinds = map[app.ChangeKind]string{
	app.ChangeCreated:      "created",
	app.ChangeRead:         "read",
	app.ChangeAcknowledged: "acknowledged",
	app.ChangeDeleted:      "deleted",
	app.ChangeReadAll:      "read_all",
	app.ChangeDeletedRead:  "deleted_read",
}

func (r *Registry) newChangeMetrics() {
	r.published = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "belfry_notifications_published_total",
		Help: "Notifications stored for a recipient (one event to three users counts three).",
	})
	r.changes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "belfry_notification_changes_total",
		Help: "Changes to users' notifications announced to live views, by kind.",
	}, []string{"kind"})
	for _, k := range changeKinds {
		r.changes.WithLabelValues(k) // every kind is shown, from 0
	}
	r.reg.MustRegister(r.published, r.changes)
}

// CountChange counts one change from the bus: subscribe it with
// bus.Subscribe(r.CountChange). It never blocks.
func (r *Registry) CountChange(c app.Change) {
	kind, ok := changeKinds[c.Kind]
	if !ok {
		kind = "other"
	}
	r.changes.WithLabelValues(kind).Inc()
	if c.Kind == app.ChangeCreated {
		r.published.Inc()
	}
}
