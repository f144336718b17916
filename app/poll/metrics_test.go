package poll

import (
	"testing"

	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/metrics"
)

func TestObserve(t *testing.T) {
	m := metrics.New("test")
	observe(m, func() Stats { return Stats{Requests: 12, RateLimited: 4, NotModified: 3, Waiting: 2} })
	apptest.WantSamples(t, m.Handler(), map[string]float64{
		"belfry_poll_requests_total":     12,
		"belfry_poll_rate_limited_total": 4,
		"belfry_poll_not_modified_total": 3,
		"belfry_poll_waiting":            2,
	})
}
