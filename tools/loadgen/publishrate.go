package main

import (
	"context"
	"fmt"
)

// publishRate is a workload without sockets: publish Messages at each
// concurrency in turn, to one user, and measure accepted publishes per
// second — the durable write path alone.
type publishRate struct {
	Messages     int
	Concurrency  []int
	WarmMessages int // published first, not measured: connections, caches
}

// publishRateResult is one run: messages per second at each concurrency.
type publishRateResult struct {
	PerSec          []float64
	PublishFailures int
	PublishErr      error
	Logs            map[string]int
}

// run measures w once on a fresh system.
func (w publishRate) run(ctx context.Context, sys system) (publishRateResult, error) {
	var r publishRateResult
	if err := sys.Prepare(ctx, 1); err != nil {
		return r, err
	}
	for _, c := range w.Concurrency {
		p := newPublisher(sys, w.WarmMessages+w.Messages, c)
		p.run(ctx, 0, w.WarmMessages, c, 0)
		p.run(ctx, w.WarmMessages, w.Messages, c, 0)
		if err := ctx.Err(); err != nil {
			return r, err
		}
		r.PublishFailures += int(p.failures.Load())
		if r.PublishErr == nil {
			r.PublishErr = p.firstErr
		}
		s := p.span(w.WarmMessages, w.Messages)
		if s <= 0 {
			return r, fmt.Errorf("no publish accepted at concurrency %d: %v", c, p.firstErr)
		}
		r.PerSec = append(r.PerSec, float64(p.accepted(w.WarmMessages, w.Messages))/s.Seconds())
	}
	return r, nil
}
