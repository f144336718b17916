package channels

import (
	"context"
	"slices"
	"sync"
	"time"
)

// sequencer publishes each channel's events in sequence order.
//
// A channel's sequence numbers are assigned by the store inside the write
// transactions, and the group-commit writer may carry several writes to one
// channel in a single commit. Their callers then wake up together and would
// publish in whatever order the scheduler picks. So every write goes
// through the channel's stream: acquire before the write, release after it
// with the sequence number it got (0 when it failed or changed nothing) and
// the function that publishes its event. release holds a publication back
// until every lower number has gone out.
//
// A stream learns where its channel's sequence stands from the store when it
// is first used. Writers wait for that before writing, so no write to the
// channel can commit between the read and the first publication.
//
// Publications run under the stream's lock and go on the bus; every
// replica's receiver (receiver.go) then delivers them to its sockets in
// sequence order, whichever replica wrote them, and is what a subscriber
// holds while it replays missed events and joins the subscription.
type sequencer struct {
	lastSeq func(ctx context.Context, channelID string) (int64, error)
	onGap   func(channelID string, from, to int64)

	mu      sync.Mutex
	streams map[string]*stream
}

// stream is one channel's publication order.
type stream struct {
	id    string
	ready chan struct{} // closed once next is known (or err set)
	err   error

	mu       sync.Mutex
	next     int64 // the sequence number of the next publication
	users    int   // acquired and not yet released
	pending  map[int64]func()
	finished bool // the channel was deleted: forget the stream once unused
}

// baseReadTimeout bounds the read of a channel's sequence number.
const baseReadTimeout = 5 * time.Second

func newSequencer(lastSeq func(ctx context.Context, channelID string) (int64, error), onGap func(string, int64, int64)) *sequencer {
	return &sequencer{lastSeq: lastSeq, onGap: onGap, streams: map[string]*stream{}}
}

// acquire returns the channel's stream, reading its sequence number on
// first use; every successful acquire must be paired with one release.
// Errors are the store's, such as ENOTFOUND for an unknown channel.
func (q *sequencer) acquire(ctx context.Context, channelID string) (*stream, error) {
	q.mu.Lock()
	st, ok := q.streams[channelID]
	if ok {
		st.mu.Lock()
		st.users++
		st.mu.Unlock()
		q.mu.Unlock()
		select {
		case <-st.ready:
		case <-ctx.Done():
			q.release(st, 0, nil)
			return nil, ctx.Err()
		}
		if st.err != nil {
			return nil, st.err
		}
		return st, nil
	}
	st = &stream{id: channelID, ready: make(chan struct{}), users: 1, pending: map[int64]func(){}}
	q.streams[channelID] = st
	q.mu.Unlock()

	// The read must not fail because this caller gave up: others wait on it.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), baseReadTimeout)
	last, err := q.lastSeq(rctx, channelID)
	cancel()
	if err != nil {
		q.mu.Lock()
		delete(q.streams, channelID)
		q.mu.Unlock()
		st.err = err
		close(st.ready)
		return nil, err
	}
	st.next = last + 1
	close(st.ready)
	return st, nil
}

// release ends a use of st. A seq above 0 is a durable event: publish runs,
// under st's lock, once every lower number has been published. finish
// marks the channel deleted.
func (q *sequencer) release(st *stream, seq int64, publish func()) {
	st.mu.Lock()
	switch {
	case seq <= 0:
	case seq < st.next: // below the base read: already durable before it, never held
		publish()
	default:
		st.pending[seq] = publish
	}
	for {
		f, ok := st.pending[st.next]
		if !ok {
			break
		}
		delete(st.pending, st.next)
		f()
		st.next++
	}
	st.users--
	if st.users == 0 && len(st.pending) > 0 {
		// No write in flight can fill the gap any more: a number was used
		// by a write that never reported it. Publish what is held, in order.
		q.flushGap(st)
	}
	forget := st.finished && st.users == 0
	st.mu.Unlock()
	if forget {
		q.mu.Lock()
		if q.streams[st.id] == st {
			delete(q.streams, st.id)
		}
		q.mu.Unlock()
	}
}

// flushGap publishes every held event in order; callers hold st.mu.
func (q *sequencer) flushGap(st *stream) {
	seqs := make([]int64, 0, len(st.pending))
	for seq := range st.pending {
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	if q.onGap != nil {
		q.onGap(st.id, st.next, seqs[0]-1)
	}
	for _, seq := range seqs {
		st.pending[seq]()
		delete(st.pending, seq)
	}
	st.next = seqs[len(seqs)-1] + 1
}

// finish marks st's channel as deleted; callers hold st.mu (it is called
// from the channel_deleted publication).
func (st *stream) finish() { st.finished = true }
