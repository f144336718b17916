package push

import (
	"sync"
	"time"
)

// hosts is the worker's view of the push services: those with a running
// lane, and those paused because they looked unavailable (429, 5xx, no
// answer) at their last attempt. Neither is claimed again until its lane
// ends or its pause does, so a push service that is down gets one attempt
// per backoff step instead of one per batch of its queued pushes, and the
// worker sleeps instead of polling the outbox for pushes it may not send.
type hosts struct {
	mu     sync.Mutex
	busy   map[string]bool
	paused map[string]time.Time // host → end of its pause
}

func newHosts() *hosts {
	return &hosts{busy: map[string]bool{}, paused: map[string]time.Time{}}
}

// start marks host as having a running lane.
func (h *hosts) start(host string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.busy[host] = true
}

// finish ends host's lane; a non-zero until pauses the host until then.
func (h *hosts) finish(host string, until time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.busy, host)
	if until.IsZero() {
		delete(h.paused, host)
	} else {
		h.paused[host] = until
	}
}

// excluded returns the hosts that must not be claimed at now (busy or
// paused), the end of the earliest pause (zero when none) and how many
// lanes are busy.
func (h *hosts) excluded(now time.Time) (skip []string, pauseEnd time.Time, lanes int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	skip = make([]string, 0, len(h.busy)+len(h.paused))
	for host := range h.busy {
		skip = append(skip, host)
	}
	for host, until := range h.paused {
		switch {
		case !until.After(now):
			delete(h.paused, host)
		case !h.busy[host]:
			skip = append(skip, host)
			if pauseEnd.IsZero() || until.Before(pauseEnd) {
				pauseEnd = until
			}
		}
	}
	return skip, pauseEnd, len(h.busy)
}
