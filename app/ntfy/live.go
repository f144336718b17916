package ntfy

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
)

// live is the held-open side of ntfy's subscribe API: every open
// subscription (/<topic>/json, /sse, /raw and /ws) indexed by its user. The
// bus hands it every change (Handle); it turns each into the events of the
// user's subscriptions, which queue them without blocking. One timer sends
// every subscription ntfy's keepalive event.
type live struct {
	clock     clock.Clock
	keepalive time.Duration

	mu     sync.RWMutex
	users  map[string]map[*sub]struct{}
	count  int
	closed bool
	timer  clock.Timer

	dropped atomic.Uint64 // subscriptions ended as too slow
}

func newLive(c clock.Clock, keepalive time.Duration) *live {
	return &live{clock: c, keepalive: keepalive, users: map[string]map[*sub]struct{}{}}
}

// add indexes s: every change of its user from now on reaches it. It
// reports false once the server is shutting down.
func (l *live) add(s *sub) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	set := l.users[s.userID]
	if set == nil {
		set = map[*sub]struct{}{}
		l.users[s.userID] = set
	}
	set[s] = struct{}{}
	l.count++
	if l.timer == nil {
		l.timer = l.clock.AfterFunc(l.keepalive, l.tick)
	}
	return true
}

// remove takes s out of the index; removing twice is harmless.
func (l *live) remove(s *sub) {
	l.mu.Lock()
	defer l.mu.Unlock()
	set := l.users[s.userID]
	if _, ok := set[s]; !ok {
		return
	}
	delete(set, s)
	l.count--
	if len(set) == 0 {
		delete(l.users, s.userID)
	}
}

// subs returns the subscriptions of userID ("" for every user's).
func (l *live) subs(userID string) []*sub {
	l.mu.RLock()
	defer l.mu.RUnlock()
	var out []*sub
	add := func(set map[*sub]struct{}) {
		for s := range set {
			out = append(out, s)
		}
	}
	if userID != "" {
		add(l.users[userID])
		return out
	}
	for _, set := range l.users {
		add(set)
	}
	return out
}

// Handle takes one change from the bus, on the publisher's goroutine, and
// never blocks: each subscription of the user queues what it makes of it.
func (l *live) Handle(c app.Change) {
	if c.UserID == "" {
		return
	}
	for _, s := range l.subs(c.UserID) {
		s.change(c)
	}
}

// tick sends every subscription a keepalive event and sets the next tick.
func (l *live) tick() {
	for _, s := range l.subs("") {
		s.keepalive()
	}
	l.mu.Lock()
	if !l.closed {
		l.timer = l.clock.AfterFunc(l.keepalive, l.tick)
	}
	l.mu.Unlock()
}

// revoke ends the subscriptions that lost their credentials: every one of
// userID when tokenID is empty (the user was deleted), else those opened
// with the token tokenID.
func (l *live) revoke(userID, tokenID string) {
	for _, s := range l.subs(userID) {
		if tokenID == "" || s.tokenID == tokenID {
			s.stop(endRevoked)
		}
	}
}

// close ends every subscription (the server is shutting down) and refuses
// new ones.
func (l *live) close() {
	l.mu.Lock()
	l.closed = true
	if l.timer != nil {
		l.timer.Stop()
	}
	l.mu.Unlock()
	for _, s := range l.subs("") {
		s.stop(endShutdown)
	}
}

// open is the number of open subscriptions.
func (l *live) open() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.count
}
