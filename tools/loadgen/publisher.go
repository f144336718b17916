package main

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// publisher publishes numbered messages and records, per sequence number,
// when each publish was sent and when the server accepted it: the order
// checks need both, the latency figures the first.
type publisher struct {
	sys    system
	client *http.Client

	starts, acks []int64 // unix ns by sequence number; 0: not accepted

	failures atomic.Int64
	mu       sync.Mutex
	firstErr error
}

// newPublisher returns a publisher of up to total messages over at most
// concurrency keep-alive connections.
func newPublisher(sys system, total, concurrency int) *publisher {
	t := &http.Transport{MaxIdleConns: concurrency, MaxIdleConnsPerHost: concurrency, DisableCompression: true}
	return &publisher{
		sys:    sys,
		client: &http.Client{Transport: t, Timeout: 60 * time.Second},
		starts: make([]int64, total),
		acks:   make([]int64, total),
	}
}

// run publishes messages from … from+n-1 with concurrency workers and
// returns when all have been answered. With rate > 0 message i is sent no
// earlier than i/rate seconds after the start (paced); otherwise each
// worker sends its next message as soon as the previous one is accepted.
func (p *publisher) run(ctx context.Context, from, n, concurrency int, rate float64) {
	seqs := make(chan int, concurrency)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := range seqs {
				p.one(ctx, seq)
			}
		}()
	}
	start := time.Now()
	for i := range n {
		if rate > 0 {
			due := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
		}
		if ctx.Err() != nil {
			break
		}
		seqs <- from + i
	}
	close(seqs)
	wg.Wait()
}

// one publishes message seq, stamped with the time it is sent.
func (p *publisher) one(ctx context.Context, seq int) {
	now := time.Now()
	p.starts[seq] = now.UnixNano()
	if err := p.sys.Publish(ctx, p.client, messageTitle(seq, now)); err != nil {
		p.failures.Add(1)
		p.mu.Lock()
		if p.firstErr == nil {
			p.firstErr = err
		}
		p.mu.Unlock()
		return
	}
	p.acks[seq] = time.Now().UnixNano()
}

// accepted counts the messages from … from+n-1 the server accepted.
func (p *publisher) accepted(from, n int) int {
	k := 0
	for _, t := range p.acks[from : from+n] {
		if t != 0 {
			k++
		}
	}
	return k
}

// span is the time from the first send to the last acceptance of messages
// from … from+n-1.
func (p *publisher) span(from, n int) time.Duration {
	var first, last int64
	for i := from; i < from+n; i++ {
		if s := p.starts[i]; s != 0 && (first == 0 || s < first) {
			first = s
		}
		if a := p.acks[i]; a > last {
			last = a
		}
	}
	if first == 0 || last < first {
		return 0
	}
	return time.Duration(last - first)
}

// barrier publishes warm-up messages until every socket of f has received
// one: then each socket is registered with the server, and the publisher's
// connections are open. A socket the server had not registered yet when a
// warm-up went out gets the next one. It returns how many sockets are warm.
func (p *publisher) barrier(ctx context.Context, f *fleet, limit time.Duration) (int, error) {
	deadline := time.Now().Add(limit)
	for n := 0; time.Now().Before(deadline); n++ {
		if err := p.sys.Publish(ctx, p.client, warmPrefix+strconv.Itoa(n)); err != nil {
			return f.warmed(), err
		}
		for wait := time.Now().Add(500 * time.Millisecond); time.Now().Before(wait); {
			if f.warmed() == len(f.sockets) {
				return len(f.sockets), nil
			}
			if err := ctx.Err(); err != nil {
				return f.warmed(), err
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return f.warmed(), nil
}
