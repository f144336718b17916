package webhook

import (
	"testing"

	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/metrics"
)

func TestObserve(t *testing.T) {
	m := metrics.New("test")
	observe(m, func() Stats { return Stats{Delivered: 7, Retried: 2, Failed: 1, Disabled: 1, Pending: 6, Lanes: 2} })
	apptest.WantSamples(t, m.Handler(), map[string]float64{
		`belfry_webhook_deliveries_total{outcome="delivered"}`: 7,
		`belfry_webhook_deliveries_total{outcome="retried"}`:   2,
		`belfry_webhook_deliveries_total{outcome="failed"}`:    1,
		"belfry_webhook_disabled_total":                        1,
		"belfry_webhook_queue_depth":                           6,
		"belfry_webhook_in_flight":                             2,
	})
}
