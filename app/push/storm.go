package push

import (
	"sync"
	"time"

	"github.com/belfry/belfry/app"
)

// stormGate holds notification pushes back during a storm, per device,
// with the [storm] short rule the toasts use: a device that got
// storm.short_max notification pushes within storm.short_window gets no
// more until the window has room again. The held pushes stay in the
// outbox, due when the window ends, and go then together as one summary.
// The recent times live in memory: after a restart the window starts
// afresh.
type stormGate struct {
	cfg app.StormConfig

	mu     sync.Mutex
	recent map[string][]time.Time // device → its latest notification pushes, oldest first
}

func newStormGate(cfg app.StormConfig) *stormGate {
	return &stormGate{cfg: cfg, recent: map[string][]time.Time{}}
}

// admit reports whether a notification push to device may go at now;
// when not, until is when it may.
func (g *stormGate) admit(device string, now time.Time) (ok bool, until time.Time) {
	if !g.cfg.Enabled || g.cfg.ShortMax <= 0 || g.cfg.ShortWindow.Duration <= 0 {
		return true, time.Time{}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	window := g.cfg.ShortWindow.Duration
	kept := g.recent[device][:0]
	for _, t := range g.recent[device] {
		if now.Sub(t) < window {
			kept = append(kept, t)
		}
	}
	g.recent[device] = kept
	if len(kept) >= g.cfg.ShortMax {
		return false, kept[0].Add(window)
	}
	g.recent[device] = append(kept, now)
	if len(g.recent) > 10000 { // forget quiet devices
		for d, ts := range g.recent {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= window {
				delete(g.recent, d)
			}
		}
	}
	return true, time.Time{}
}
