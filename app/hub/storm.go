package hub

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app"
)

// stormDetector decides, per user, whether their notifications currently
// arrive as a storm: more than ShortMax creations within
// ShortWindow, or more than LongMax within LongWindow. Once detected the state
// sticks for Sticky, then the windows are evaluated afresh on the next
// creation.
//
// The windows live in memory: each user keeps a ring of the creation times of
// their last max(ShortMax, LongMax)+1 notifications, so a check is O(1) and
// never queries the database. A user's ring is dropped once it is older than
// both windows and the sticky period. Safe for concurrent use.
type stormDetector struct {
	cfg  app.StormConfig
	base time.Time // times are kept as offsets from base: 8 bytes each, monotonic

	mu        sync.Mutex
	users     map[string]*stormWindow
	nextSweep time.Time

	activations atomic.Uint64
}

// stormWindow is one user's ring of recent creation times.
type stormWindow struct {
	times []time.Duration // offsets from base, oldest overwritten first
	next  int             // slot of the next write
	n     int             // filled slots
	until time.Duration   // storm state holds while now < until
	last  time.Duration
}

func newStormDetector(cfg app.StormConfig, now time.Time) *stormDetector {
	return &stormDetector{cfg: cfg, base: now, users: map[string]*stormWindow{}}
}

// ringSize is how many creation times the larger rule needs to look back.
func (d *stormDetector) ringSize() int {
	return max(d.cfg.ShortMax, d.cfg.LongMax, 0) + 1
}

// record notes a notification created for userID at now and reports whether
// the user is in a storm, counting this notification.
func (d *stormDetector) record(userID string, now time.Time) bool {
	if !d.cfg.Enabled {
		return false
	}
	at := now.Sub(d.base)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sweep(now)
	w := d.users[userID]
	if w == nil {
		w = &stormWindow{times: make([]time.Duration, d.ringSize())}
		d.users[userID] = w
	}
	w.push(at)
	if at < w.until {
		return true
	}
	if w.exceeds(at, d.cfg.ShortWindow.Duration, d.cfg.ShortMax) ||
		w.exceeds(at, d.cfg.LongWindow.Duration, d.cfg.LongMax) {
		w.until = at + d.cfg.Sticky.Duration
		d.activations.Add(1)
		return true
	}
	return false
}

// active reports whether userID is in a storm at now without recording a
// creation: reads and deletions never start a storm but happen inside one.
func (d *stormDetector) active(userID string, now time.Time) bool {
	if !d.cfg.Enabled {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	w := d.users[userID]
	return w != nil && now.Sub(d.base) < w.until
}

// sweep drops users whose windows and storm state have all expired; it runs
// at most once per long window so record stays O(1) amortised. Callers hold mu.
func (d *stormDetector) sweep(now time.Time) {
	if now.Before(d.nextSweep) {
		return
	}
	keep := max(d.cfg.ShortWindow.Duration, d.cfg.LongWindow.Duration, time.Minute)
	d.nextSweep = now.Add(keep)
	at := now.Sub(d.base)
	for id, w := range d.users {
		if at-w.last > keep && at >= w.until {
			delete(d.users, id)
		}
	}
}

func (w *stormWindow) push(at time.Duration) {
	w.times[w.next] = at
	w.next = (w.next + 1) % len(w.times)
	w.n = min(w.n+1, len(w.times))
	w.last = at
}

// exceeds reports whether more than limit creations fall within window
// before at, that is whether the (limit+1)-th most recent one does. A window
// of zero or less turns the rule off.
func (w *stormWindow) exceeds(at, window time.Duration, limit int) bool {
	if window <= 0 || limit < 0 || w.n <= limit {
		return false
	}
	i := (w.next - 1 - limit + 2*len(w.times)) % len(w.times)
	return w.times[i] >= at-window
}
