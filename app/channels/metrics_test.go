package channels

import (
	"testing"

	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/metrics"
)

func TestObserve(t *testing.T) {
	m := metrics.New("test")
	observe(m, func() Stats { return Stats{Sockets: 2, Subscriptions: 5, EventsSent: 9, Dropped: 4} })
	apptest.WantSamples(t, m.Handler(), map[string]float64{
		`belfry_ws_sockets{endpoint="channels"}`:                2,
		`belfry_ws_frames_sent_total{endpoint="channels"}`:      9,
		`belfry_ws_slow_disconnects_total{endpoint="channels"}`: 4,
		"belfry_channel_subscriptions":                          5,
	})
}
