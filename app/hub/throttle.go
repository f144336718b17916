package hub

import (
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
)

// throttle is one socket's backoff for widget reloads during a storm, after
// openwisp-notifications' consumer: a reload goes out when the socket's hold
// has passed, and then holds the next ones for BackoffInitial; every reload
// held back extends the hold by the current backoff, which grows by
// BackoffStep; when the backoff would pass BackoffMax the reload is forced
// through and the backoff starts over.
//
// Beyond the reference, a held-back reload leaves a trailing refresh pending:
// the hub sends a reload once the hold has passed, so the last event of a
// storm never leaves a widget stale. The throttle only keeps the state; the
// hub owns the timer.
//
// A throttle is not safe for concurrent use; the socket's mutex guards it.
type throttle struct {
	holdUntil time.Time
	backoff   time.Duration

	// The pending trailing refresh, if any: seq identifies it so that a timer
	// that fires after being superseded is recognised and ignored.
	timer   clock.Timer
	seq     uint64
	pending bool
}

// start sets the state of a fresh socket: like the reference, a page that
// just connected has just loaded its widget, so reloads are held for
// BackoffInitial.
func (t *throttle) start(now time.Time, cfg app.StormConfig) {
	t.holdUntil = now.Add(cfg.BackoffInitial.Duration)
	t.backoff = cfg.BackoffInitial.Duration
}

// admit decides whether a reload wanted at now during a storm goes out.
// When it does not, holdUntil is when the trailing refresh is due.
func (t *throttle) admit(now time.Time, cfg app.StormConfig) bool {
	if !now.Before(t.holdUntil) || t.backoff > cfg.BackoffMax.Duration {
		t.start(now, cfg)
		return true
	}
	t.holdUntil = now.Add(t.backoff)
	t.backoff += cfg.BackoffStep.Duration
	return false
}

// arm records a new pending trailing refresh, stopping the previous timer,
// and returns its sequence number.
func (t *throttle) arm() uint64 {
	t.disarm()
	t.seq++
	t.pending = true
	return t.seq
}

// disarm cancels the pending trailing refresh: a reload reached the socket.
func (t *throttle) disarm() {
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	t.pending = false
}

// due reports whether the trailing refresh seq is still the pending one and,
// if so, consumes it: the refresh counts as a reload that went out at now.
func (t *throttle) due(seq uint64, now time.Time, cfg app.StormConfig) bool {
	if !t.pending || seq != t.seq {
		return false
	}
	t.timer = nil
	t.pending = false
	t.start(now, cfg)
	return true
}
