// Package bus is Belfry's in-process event bus: the notification services
// publish every durable change on it and the real-time layers (WebSocket hub,
// long-polling waiters) consume it.
package bus

import (
	"context"
	"sync"

	"github.com/belfry/belfry/app"
)

// Bus fans a change out to every subscriber, in publish order. It is safe for
// concurrent use.
type Bus struct {
	mu      sync.RWMutex
	next    int
	subs    map[int]func(app.Change)
	ordered []func(app.Change)
}

var _ app.ChangePublisher = (*Bus)(nil)

// New returns a bus without subscribers.
func New() *Bus {
	return &Bus{subs: map[int]func(app.Change){}}
}

// Subscribe registers fn for every later change and returns a function that
// removes it. fn runs on the publisher's goroutine, so it must not block: a
// subscriber that does slow work hands the change to a goroutine of its own.
func (b *Bus) Subscribe(fn func(app.Change)) (cancel func()) {
	b.mu.Lock()
	id := b.next
	b.next++
	b.subs[id] = fn
	b.rebuild()
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.rebuild()
		b.mu.Unlock()
	}
}

// rebuild refreshes the subscriber slice in subscription order; callers hold mu.
func (b *Bus) rebuild() {
	ordered := make([]func(app.Change), 0, len(b.subs))
	for id := 0; id < b.next; id++ {
		if fn, ok := b.subs[id]; ok {
			ordered = append(ordered, fn)
		}
	}
	b.ordered = ordered
}

// Publish hands c to every subscriber.
func (b *Bus) Publish(_ context.Context, c app.Change) {
	b.mu.RLock()
	subs := b.ordered
	b.mu.RUnlock()
	for _, fn := range subs {
		fn(c)
	}
}
