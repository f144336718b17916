// Package bus is Belfry's change bus: the services publish every durable
// change on a topic and the real-time layers (WebSocket hub, channels,
// long-polling waiters, revocations, caches) consume it. A topic delivers in
// process, or, when the server joins a cluster (cluster.nats_url), through
// NATS to the subscribers of every replica (docs/cluster.md). Publishers and
// subscribers do not know which.
package bus

import (
	"context"
	"sync"

	"github.com/belfry/belfry/app"
)

// Topic fans one kind of message out to every subscriber, in publish order.
// It is safe for concurrent use.
type Topic[T any] struct {
	net *Network // nil: in process
	sub *subscription

	mu      sync.RWMutex
	next    int
	subs    map[int]func(T)
	ordered []func(T)
}

// Bus is the topic of notification changes.
type Bus = Topic[app.Change]

var _ app.ChangePublisher = (*Bus)(nil)

// New returns an in-process bus of notification changes without
// subscribers.
func New() *Bus { return Local[app.Change]() }

// Local returns an in-process topic without subscribers.
func Local[T any]() *Topic[T] {
	return &Topic[T]{subs: map[int]func(T){}}
}

// Open returns the topic name of n: in process when n is nil, otherwise
// carried by NATS between the replicas. Each name is opened once per
// process.
func Open[T any](n *Network, name string) *Topic[T] {
	t := Local[T]()
	if n != nil {
		t.net = n
		t.sub = n.subscribe(name, func(data []byte) error {
			v, err := Decode[T](data)
			if err == nil {
				t.deliver(v)
			}
			return err
		})
	}
	return t
}

// Subscribe registers fn for every later message and returns a function
// that removes it. fn runs on the publisher's goroutine (in process) or on
// the topic's one receiving goroutine (NATS), so it must not block: a
// subscriber that does slow work hands the message to a goroutine of its
// own.
func (t *Topic[T]) Subscribe(fn func(T)) (cancel func()) {
	t.mu.Lock()
	id := t.next
	t.next++
	t.subs[id] = fn
	t.rebuild()
	t.mu.Unlock()
	return func() {
		t.mu.Lock()
		delete(t.subs, id)
		t.rebuild()
		t.mu.Unlock()
	}
}

// rebuild refreshes the subscriber slice in subscription order; callers hold mu.
func (t *Topic[T]) rebuild() {
	ordered := make([]func(T), 0, len(t.subs))
	for id := 0; id < t.next; id++ {
		if fn, ok := t.subs[id]; ok {
			ordered = append(ordered, fn)
		}
	}
	t.ordered = ordered
}

// Publish hands v to every subscriber: at once in process, through NATS in
// a cluster (to this replica's subscribers too, in the order this replica
// published). A message NATS refused is counted and logged, not returned:
// the change it announces is durable already.
func (t *Topic[T]) Publish(_ context.Context, v T) {
	if t.net == nil {
		t.deliver(v)
		return
	}
	t.net.publish(t.sub, v)
}

// deliver runs every subscriber.
func (t *Topic[T]) deliver(v T) {
	t.mu.RLock()
	subs := t.ordered
	t.mu.RUnlock()
	for _, fn := range subs {
		fn(v)
	}
}
