package ws

import "sync"

// frameKind is what an outFrame writes.
type frameKind uint8

const (
	frameText  frameKind = iota // a text frame of the endpoint
	framePing                   // a keep-alive ping
	frameClose                  // the close frame; nothing follows it
)

// outFrame is one frame waiting in a connection's queue.
type outFrame struct {
	kind frameKind
	msg  []byte // shared between connections: never modified
	// catchUp, for a frame sent with SendCoalescing, is what it and the
	// coalescing frames before it give way to when the queue overflows.
	catchUp []byte
	// exempt frames (a replay) do not count against the bound.
	exempt bool
}

// counted is how many bytes f counts against the bound.
func (f outFrame) counted() int {
	if f.exempt || f.kind != frameText {
		return 0
	}
	return len(f.msg)
}

// queue is a connection's frames waiting for its writer, in order. It is
// guarded by Conn.mu. An idle connection's queue holds no slice.
type queue struct {
	frames []outFrame
	// bytes are the counted bytes of the frames waiting and of those the
	// writer is writing.
	bytes   int
	writing bool // a writer goroutine runs
	pinging bool // a ping waits
}

// push appends f. When that passes limit while other frames wait or are
// being written, the coalescing frames give way first (coalesced says how
// many did); fits is false when the queue is over the limit all the same.
// A frame alone may be larger than the limit.
func (q *queue) push(f outFrame, limit int) (fits bool, coalesced int) {
	n := f.counted()
	over := n > 0 && q.bytes > 0 && q.bytes+n > limit
	q.add(f)
	q.bytes += n
	if !over {
		return true, 0
	}
	coalesced = q.coalesce()
	return q.bytes <= limit, coalesced
}

// coalesce replaces the waiting frames sent with SendCoalescing by the
// catch-up frame of the last of them, in its place, and returns how many
// frames gave way. The other frames keep their order.
func (q *queue) coalesce() int {
	last := -1
	for i, f := range q.frames {
		if f.catchUp != nil {
			last = i
		}
	}
	if last < 0 {
		return 0
	}
	gave := 0
	kept := q.frames[:0]
	for i, f := range q.frames {
		switch {
		case f.catchUp == nil:
			kept = append(kept, f)
		case i == last:
			if !sameBytes(f.msg, f.catchUp) {
				gave++
				q.bytes += len(f.catchUp) - len(f.msg)
				f.msg = f.catchUp
			}
			kept = append(kept, f)
		default:
			gave++
			q.bytes -= len(f.msg)
		}
	}
	clear(q.frames[len(kept):]) // let the frames that gave way go
	q.frames = kept
	return gave
}

// sameBytes reports whether a and b are the same slice.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// pushPing puts a ping in front of the waiting frames, unless one waits:
// control frames may go out between messages, and a ping stuck behind a
// long backlog would make a client that is merely behind look dead.
func (q *queue) pushPing() {
	if q.pinging {
		return
	}
	q.pinging = true
	q.add(outFrame{})
	copy(q.frames[1:], q.frames)
	q.frames[0] = outFrame{kind: framePing}
}

// pushClose appends the close frame with its payload msg; the caller sends
// nothing after it.
func (q *queue) pushClose(msg []byte) {
	q.add(outFrame{kind: frameClose, msg: msg})
}

// add appends f, taking a recycled slice for the first frame.
func (q *queue) add(f outFrame) {
	if q.frames == nil {
		q.frames = getFrames()
	}
	q.frames = append(q.frames, f)
}

// claimWriter reports whether the caller must start the writer: frames wait
// and none runs.
func (q *queue) claimWriter() bool {
	if q.writing || len(q.frames) == 0 {
		return false
	}
	q.writing = true
	return true
}

// take moves up to maxFrames waiting frames, and no more than maxBytes of
// them unless the first alone is larger, into batch (whose frames the
// writer has written) and returns it. With nothing waiting it returns an
// empty batch and the writer ends: the queue lets its slice go.
func (q *queue) take(batch []outFrame, maxFrames, maxBytes int) []outFrame {
	n, size := 0, 0
	for n < len(q.frames) && n < maxFrames && (n == 0 || size+len(q.frames[n].msg) <= maxBytes) {
		size += len(q.frames[n].msg)
		n++
	}
	switch {
	case n == 0:
		putFrames(q.frames)
		q.frames, q.writing = nil, false
		return batch[:0]
	case n == len(q.frames):
		// Everything: the two slices swap, so a writer that keeps up
		// allocates none.
		batch, q.frames = q.frames, batch[:0]
	default:
		batch = append(batch[:0], q.frames[:n]...)
		rest := copy(q.frames, q.frames[n:])
		clear(q.frames[rest:])
		q.frames = q.frames[:rest]
	}
	for _, f := range batch {
		if f.kind == framePing {
			q.pinging = false
		}
	}
	return batch
}

// written accounts for a batch the writer is done with.
func (q *queue) written(batch []outFrame) {
	for _, f := range batch {
		q.bytes -= f.counted()
	}
}

// discard lets every waiting frame go, once the connection has ended.
func (q *queue) discard() {
	q.written(q.frames)
	putFrames(q.frames)
	q.frames = nil
}

// frameSlices recycles the slices of queues and batches between bursts: a
// busy connection allocates none, an idle one holds none.
var frameSlices sync.Pool

func getFrames() []outFrame {
	if p, ok := frameSlices.Get().(*[]outFrame); ok {
		return (*p)[:0]
	}
	return make([]outFrame, 0, 8)
}

// putFrames recycles s, which the caller no longer uses.
func putFrames(s []outFrame) {
	if cap(s) == 0 || cap(s) > 1024 {
		return
	}
	s = s[:cap(s)]
	clear(s)
	frameSlices.Put(&s)
}
