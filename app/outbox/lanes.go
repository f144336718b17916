package outbox

import (
	"sync"
	"time"
)

// Lanes is a worker's view of its lanes, by key (a webhook, a push
// service's host): those with a lane running, and those paused after a
// failed attempt until a given time. The worker claims neither, and sleeps
// until a pause ends rather than polling for rows it may not send, so a
// receiver that is down gets one attempt per pause instead of one per
// batch of its queued rows. A pause stays recorded after it ends, until
// Resume, so the first success after failures can be told apart. Safe for
// concurrent use.
type Lanes struct {
	mu     sync.Mutex
	busy   map[string]bool
	paused map[string]time.Time // key → end of its pause
}

// NewLanes returns Lanes with none running or paused.
func NewLanes() *Lanes {
	return &Lanes{busy: map[string]bool{}, paused: map[string]time.Time{}}
}

// Start marks key's lane as running.
func (l *Lanes) Start(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.busy[key] = true
}

// End marks key's lane as ended.
func (l *Lanes) End(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.busy, key)
}

// Pause keeps key from being claimed until until.
func (l *Lanes) Pause(key string, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.paused[key] = until
}

// Resume forgets key's pause and reports whether it had one.
func (l *Lanes) Resume(key string) (wasPaused bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, wasPaused = l.paused[key]
	delete(l.paused, key)
	return wasPaused
}

// Excluded returns the keys not to claim at now (running, or paused until
// later), the end of the earliest such pause (zero when none), and how
// many lanes run.
func (l *Lanes) Excluded(now time.Time) (skip []string, pauseEnd time.Time, running int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	skip = make([]string, 0, len(l.busy)+len(l.paused))
	for key := range l.busy {
		skip = append(skip, key)
	}
	for key, until := range l.paused {
		if until.After(now) && !l.busy[key] {
			skip = append(skip, key)
			if pauseEnd.IsZero() || until.Before(pauseEnd) {
				pauseEnd = until
			}
		}
	}
	return skip, pauseEnd, len(l.busy)
}

// Paused counts the pauses that end after now.
func (l *Lanes) Paused(now time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, until := range l.paused {
		if until.After(now) {
			n++
		}
	}
	return n
}
