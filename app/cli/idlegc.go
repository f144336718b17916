package cli

import (
	"context"
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
// handshakes of an idle-socket fleet left about 4 KiB each. A busy server
// never falls quiet, so this adds no collection under load; an idle one
// costs a few metrics reads a second. It returns when ctx ends.
func trimWhenIdle(ctx context.Context) {
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	t := time.NewTicker(idleTick)
	defer t.Stop()
	last := read()
	since := uint64(0) // allocated since the last collection this made
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := read()
		tick := now - last
		last, since = now, since+tick
		if tick <= idleQuiet && since >= idleWorth {
			debug.FreeOSMemory()
			last, since = read(), 0
		}
	}
}
