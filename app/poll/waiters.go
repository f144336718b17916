package poll

import (
	"sync"
	"sync/atomic"
)

// waiters lets long polls sleep until a notification is created for their
// user. Each user with waiting polls has one channel, closed (and replaced
// on the next watch) when Handle sees a ChangeCreated for them, so a wake
// costs O(1) whatever the number of waiting polls.
type waiters struct {
	mu      sync.Mutex
	users   map[string]*signal
	waiting atomic.Int64
	woken   atomic.Uint64
}

type signal struct {
	ch       chan struct{}
	watchers int
}

func newWaiters() *waiters {
	return &waiters{users: map[string]*signal{}}
}

// watch returns a channel that is closed at the next wake of userID, and a
// release function the caller must call once it stops watching. Watch
// before querying: a notification created between the query and the wait
// then still closes the channel.
func (w *waiters) watch(userID string) (<-chan struct{}, func()) {
	w.mu.Lock()
	sig := w.users[userID]
	if sig == nil {
		sig = &signal{ch: make(chan struct{})}
		w.users[userID] = sig
	}
	sig.watchers++
	w.mu.Unlock()
	return sig.ch, func() {
		w.mu.Lock()
		sig.watchers--
		if sig.watchers == 0 && w.users[userID] == sig {
			delete(w.users, userID)
		}
		w.mu.Unlock()
	}
}

// wake closes userID's channel, if anyone watches it. It never blocks
// beyond the short critical section.
func (w *waiters) wake(userID string) {
	w.mu.Lock()
	if sig := w.users[userID]; sig != nil {
		close(sig.ch)
		delete(w.users, userID)
	}
	w.mu.Unlock()
}

// wakeAll closes every watched channel.
func (w *waiters) wakeAll() {
	w.mu.Lock()
	for _, sig := range w.users {
		close(sig.ch)
	}
	w.users = map[string]*signal{}
	w.mu.Unlock()
}
