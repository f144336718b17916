package cli

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Bounds of trimWhenIdle.
const (
	idleTick = 250 * time.Millisecond
	// idleQuiet is the most a tick may allocate and still count as quiet.
	idleQuiet = 64 << 10
	// idleWorth is what must have been allocated since the last collection
	// for one to be worth it.
	idleWorth = 1 << 20
)

// trimWhenIdle collects the garbage and returns the free memory to the
// system once the server falls quiet after some work. The runtime collects
// only when the heap reaches twice what was live after the last collection
// (GOGC=100), so a burst of handshakes or requests would otherwise stay
// resident, as garbage, for as long as the server stays idle: the 1,000
// handshakes of an idle-socket fleet left about 5 KiB each. A busy server
// never falls quiet, so this adds no collection under load; an idle one
// costs a few metrics reads a second. It returns when ctx ends.
func trimWhenIdle(ctx context.Context) {
	t := time.NewTicker(idleTick)
	defer t.Stop()
	allocs := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	var w idleWatch
	for {
		metrics.Read(allocs)
		if w.quiet(allocs[0].Value.Uint64()) {
			// Two collections: what sits in a sync.Pool (net/http's
			// buffers, gin's contexts, the sockets' write buffers)
			// survives the first one in the pool's victim cache.
			runtime.GC()
			debug.FreeOSMemory()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// idleWatch decides, from the bytes allocated so far sampled once a tick,
// when a collection is worth it.
type idleWatch struct {
	last  uint64 // allocated at the previous sample; 0 before the first
	since uint64 // allocated since the last collection it asked for
}

// quiet takes the next sample and reports whether to collect now: this tick
// allocated at most idleQuiet after at least idleWorth since the last one.
func (w *idleWatch) quiet(allocated uint64) bool {
	first := w.last == 0
	tick := allocated - w.last
	w.last = allocated
	if first {
		return false
	}
	w.since += tick
	if tick > idleQuiet || w.since < idleWorth {
		return false
	}
	w.since = 0
	return true
}
