package hub

import (
	"testing"

	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/metrics"
)

func TestObserve(t *testing.T) {
	m := metrics.New("test")
	observe(m, func() Stats { return Stats{Sockets: 3, Pushes: 40, DroppedSlow: 1, Coalesced: 7, StormActivations: 2} })
	apptest.WantSamples(t, m.Handler(), map[string]float64{
		`belfry_ws_sockets{endpoint="notification"}`:                3,
		`belfry_ws_frames_sent_total{endpoint="notification"}`:      40,
		`belfry_ws_slow_disconnects_total{endpoint="notification"}`: 1,
		`belfry_ws_frames_coalesced_total{endpoint="notification"}`: 7,
		"belfry_storm_activations_total":                            2,
	})
}
