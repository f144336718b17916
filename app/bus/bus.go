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
	all fanout[T] // the changes of every replica
	own fanout[T] // the changes this replica publishes
}

// fanout is a set of subscribers in subscription order.
type fanout[T any] struct {
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
	return &Topic[T]{}
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
				t.all.deliver(v)
			}
			return err
		})
	}
	return t
}

// Subscribe registers fn for every later message, whichever replica
// published it, and returns a function that removes it. fn runs on the
// publisher's goroutine (in process) or on the topic's one receiving
// goroutine (NATS), so it must not block: a subscriber that does slow work
// hands the message to a goroutine of its own.
func (t *Topic[T]) Subscribe(fn func(T)) (cancel func()) { return t.all.add(fn) }

// SubscribeOwn registers fn for the later messages this replica publishes,
// on the publisher's goroutine, before they go out: for work that must be
// done once per change in the whole cluster (queueing a clear push,
// counting a change). In process it is Subscribe.
func (t *Topic[T]) SubscribeOwn(fn func(T)) (cancel func()) { return t.own.add(fn) }

// Publish hands v to every subscriber: at once in process, through NATS in
// a cluster (to this replica's subscribers too, in the order this replica
// published). A message NATS refused is counted and logged, not returned:
// the change it announces is durable already.
func (t *Topic[T]) Publish(_ context.Context, v T) {
	t.own.deliver(v)
	if t.net == nil {
		t.all.deliver(v)
		return
	}
	t.net.publish(t.sub, v)
}

func (f *fanout[T]) add(fn func(T)) (cancel func()) {
	f.mu.Lock()
	if f.subs == nil {
		f.subs = map[int]func(T){}
	}
	id := f.next
	f.next++
	f.subs[id] = fn
	f.rebuild()
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		delete(f.subs, id)
		f.rebuild()
		f.mu.Unlock()
	}
}

// rebuild refreshes the subscriber slice in subscription order; callers hold mu.
func (f *fanout[T]) rebuild() {
	ordered := make([]func(T), 0, len(f.subs))
	for id := 0; id < f.next; id++ {
		if fn, ok := f.subs[id]; ok {
			ordered = append(ordered, fn)
		}
	}
	f.ordered = ordered
}

// deliver runs every subscriber.
func (f *fanout[T]) deliver(v T) {
	f.mu.RLock()
	subs := f.ordered
	f.mu.RUnlock()
	for _, fn := range subs {
		fn(v)
	}
}
