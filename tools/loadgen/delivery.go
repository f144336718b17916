package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/coder/websocket"
)

// delivery is a workload that publishes numbered messages while sockets
// listen, every message to every socket, and counts what arrives: the
// burst, fan-out and latency rows of the table.
type delivery struct {
	Sockets int
	// Users spreads the sockets over this many recipients, round-robin;
	// every message is published to all of them at once.
	Users int
	// Bursts are the messages of each burst. After a burst the workload
	// waits until every frame has arrived, or none has for Settle, before
	// the next.
	Bursts      []int
	Concurrency int
	// Rate paces the publishes at this many messages per second; 0 sends
	// them as fast as Concurrency allows.
	Rate   float64
	Settle time.Duration
}

// deliveryResult is what one run of a delivery measured.
type deliveryResult struct {
	Sockets  int
	Expected []int // message frames due, per burst: messages × sockets
	Missing  []int // of those, never received
	// Frames received that carry no message, or something else.
	CountOnly, Reloads, Other int
	Dropped                   int            // sockets the server closed as too slow (1013)
	MissingOpen               int            // frames missing on sockets that stayed open: lost silently
	Ended                     map[string]int // sockets that ended otherwise, by how
	Order                     orderReport
	FramesPerSec              float64 // message frames received per second of delivery
	PublishPerSec             float64 // publishes accepted per second
	P50, P99, Max             time.Duration
	PublishFailures           int
	PublishErr                error // the first failure
	Logs                      map[string]int
}

// run measures d once on a fresh system.
func (d delivery) run(ctx context.Context, sys system) (deliveryResult, error) {
	_, _, r, err := d.runRecorded(ctx, sys)
	return r, err
}

// runRecorded is run that also returns the records the result was made
// from: the sockets' and the publisher's.
func (d delivery) runRecorded(ctx context.Context, sys system) (*fleet, *publisher, deliveryResult, error) {
	var r deliveryResult
	if err := sys.Prepare(ctx, d.Users); err != nil {
		return nil, nil, r, err
	}
	f, err := dialFleet(ctx, sys, d.Sockets, d.Users, 16)
	if err != nil {
		return nil, nil, r, err
	}
	defer f.stop()
	total := 0
	for _, n := range d.Bursts {
		total += n
	}
	p := newPublisher(sys, total, d.Concurrency)
	if warm, err := p.barrier(ctx, f, 20*time.Second); err != nil || warm < d.Sockets {
		return nil, nil, r, fmt.Errorf("only %d of %d sockets received the warm-up message: %v", warm, d.Sockets, err)
	}
	var due int64
	var window time.Duration
	from := 0
	for _, n := range d.Bursts {
		start := time.Now()
		p.run(ctx, from, n, d.Concurrency, d.Rate)
		due += int64(n * d.Sockets)
		f.await(ctx, due, d.Settle)
		if last := time.Unix(0, f.lastFrame.Load()); last.After(start) {
			window += last.Sub(start)
		}
		from += n
		if err := ctx.Err(); err != nil {
			return nil, nil, r, err
		}
	}
	f.stop()
	r = d.tally(f, p)
	if window > 0 {
		r.FramesPerSec = float64(d.received(r)) / window.Seconds()
	}
	if s := p.span(0, total); s > 0 {
		r.PublishPerSec = float64(p.accepted(0, total)) / s.Seconds()
	}
	return f, p, r, nil
}

// await waits until due message frames have arrived in all, or none has
// arrived for settle.
func (f *fleet) await(ctx context.Context, due int64, settle time.Duration) {
	published := time.Now()
	for ctx.Err() == nil && f.messages.Load() < due {
		quiet := time.Since(time.Unix(0, f.lastFrame.Load()))
		if quiet > settle && time.Since(published) > settle {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// received is the number of distinct message frames that arrived.
func (d delivery) received(r deliveryResult) int {
	n := 0
	for i := range r.Expected {
		n += r.Expected[i] - r.Missing[i]
	}
	return n
}

// tally turns the records of the sockets and the publisher into a result.
func (d delivery) tally(f *fleet, p *publisher) deliveryResult {
	r := deliveryResult{Sockets: d.Sockets, Ended: map[string]int{}}
	r.Order = checkOrder(f.sockets, p.starts, p.acks)
	got := make([]int, len(d.Bursts))
	burstOf := make([]int, 0, len(p.starts))
	for b, n := range d.Bursts {
		r.Expected = append(r.Expected, n*d.Sockets)
		for range n {
			burstOf = append(burstOf, b)
		}
	}
	seen := make([]bool, len(p.starts))
	var latencies []int64
	for _, s := range f.sockets {
		clear(seen)
		distinct := 0
		for _, seq := range s.seqs {
			if int(seq) >= 0 && int(seq) < len(seen) && !seen[seq] {
				seen[seq] = true
				got[burstOf[seq]]++
				distinct++
			}
		}
		if s.closeCode < 0 && s.readErr == nil {
			r.MissingOpen += len(seen) - distinct
		}
		latencies = append(latencies, s.latencies...)
		r.CountOnly += s.countOnly
		r.Reloads += s.reloads
		r.Other += s.other
		switch {
		case s.closeCode == websocket.StatusTryAgainLater:
			r.Dropped++
		case s.closeCode >= 0:
			r.Ended[fmt.Sprintf("closed %d", s.closeCode)]++
		case s.readErr != nil:
			r.Ended[errorKind(s.readErr)]++
		}
	}
	for b := range d.Bursts {
		r.Missing = append(r.Missing, r.Expected[b]-got[b])
	}
	r.P50, r.P99, r.Max = percentiles(latencies)
	r.PublishFailures = int(p.failures.Load())
	r.PublishErr = p.firstErr
	return r
}

// errorKind names a read error briefly: the end of a socket without a close
// frame.
func errorKind(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	default:
		s := err.Error()
		if len(s) > 60 {
			s = s[:60] + "…"
		}
		return "error: " + s
	}
}

// percentiles returns the median, the 99th percentile and the largest of
// samples in ns.
func percentiles(samples []int64) (p50, p99, top time.Duration) {
	if len(samples) == 0 {
		return 0, 0, 0
	}
	slices.Sort(samples)
	at := func(q float64) time.Duration {
		i := int(q * float64(len(samples)-1))
		return time.Duration(samples[i])
	}
	return at(0.50), at(0.99), time.Duration(samples[len(samples)-1])
}
