package main

import (
	"context"
	"fmt"
	"time"
)

// memory is a workload that reads the server's resident memory (VmRSS) at
// idle and again with Sockets idle sockets open. The sockets live in the
// generator's process, so only the server's side of them is counted.
type memory struct {
	Sockets int
	// Settle bounds the wait for the resident size to stop moving.
	Settle time.Duration
}

// memoryResult is one run of memory, in bytes.
type memoryResult struct {
	Idle      int64   // resident memory of the server before any socket
	IdleAnon  int64   // … of it the server's own (RssAnon)
	Loaded    int64   // … with the sockets open
	PerSocket float64 // (Loaded − Idle) / Sockets
	Logs      map[string]int
}

// run measures m once on a fresh system: nothing is published, so idle
// means just started and the sockets carry no frame.
func (m memory) run(ctx context.Context, sys system) (memoryResult, error) {
	var r memoryResult
	if sys.PID() == 0 {
		return r, fmt.Errorf("the server's process id is unknown (pass -pid)")
	}
	if err := sys.Prepare(ctx, 1); err != nil {
		return r, err
	}
	idle, err := steadyResident(ctx, sys.PID(), m.Settle)
	if err != nil {
		return r, err
	}
	if r.IdleAnon, err = anonymousBytes(sys.PID()); err != nil {
		return r, err
	}
	f, err := dialFleet(ctx, sys, m.Sockets, 1, 16)
	if err != nil {
		return r, err
	}
	defer f.stop()
	loaded, err := steadyResident(ctx, sys.PID(), m.Settle)
	if err != nil {
		return r, err
	}
	if n := f.ended.Load(); n > 0 {
		return r, fmt.Errorf("%d of %d idle sockets were closed", n, m.Sockets)
	}
	r.Idle, r.Loaded = idle, loaded
	r.PerSocket = float64(loaded-idle) / float64(m.Sockets)
	return r, nil
}

// steadyResident samples the resident memory of pid every 250 ms, for at
// least a second, until two samples a second apart differ by less than
// 64 KiB or limit has passed, and returns the last sample.
func steadyResident(ctx context.Context, pid int, limit time.Duration) (int64, error) {
	const step = 250 * time.Millisecond
	deadline := time.Now().Add(limit)
	var samples []int64
	for {
		rss, err := residentBytes(pid)
		if err != nil {
			return 0, err
		}
		samples = append(samples, rss)
		if n := len(samples); n > 4 {
			if d := samples[n-1] - samples[n-5]; d > -64<<10 && d < 64<<10 {
				return rss, nil
			}
		}
		if time.Now().After(deadline) {
			return rss, nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(step):
		}
	}
}
