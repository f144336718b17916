// Package ratelimit keeps one token bucket (golang.org/x/time/rate) per key
// — an API token, a client address, a username — in a bounded table, for
// every limit Belfry applies per key.
//
// A bucket idle long enough to have refilled completely is
// indistinguishable from a new one, so the table drops it without changing
// anyone's allowance. Beyond the table's bound the least recently used
// bucket is dropped too, so a spray of keys (addresses, usernames) cannot
// grow memory without bound; the key it belonged to starts again with a
// full bucket.
package ratelimit

import (
	"container/list"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Table is a bounded set of token buckets, one per key. It is safe for
// concurrent use.
type Table struct {
	limit  rate.Limit
	burst  int
	max    int
	refill time.Duration // how long an empty bucket takes to fill

	mu    sync.Mutex
	keys  map[string]*list.Element // of *bucket
	order *list.List               // front: the most recently used
}

type bucket struct {
	key  string
	lim  *rate.Limiter
	seen time.Time
}

// New returns a Table of buckets that refill at perSecond tokens per second
// up to burst, holding at most maxKeys of them. perSecond <= 0 (or +Inf)
// means no limit: Enabled is false and Take always allows. burst < 1 counts
// as 1, maxKeys < 1 as 1.
func New(perSecond float64, burst, maxKeys int) *Table {
	t := &Table{limit: rate.Inf, burst: max(burst, 1), max: max(maxKeys, 1),
		keys: map[string]*list.Element{}, order: list.New()}
	if perSecond > 0 && !math.IsInf(perSecond, 1) {
		t.limit = rate.Limit(perSecond)
		t.refill = time.Duration(float64(t.burst) / perSecond * float64(time.Second))
	}
	return t
}

// Enabled reports whether the table limits anything.
func (t *Table) Enabled() bool { return t.limit != rate.Inf }

// Burst is the size of every bucket.
func (t *Table) Burst() int { return t.burst }

// PerSecond is the refill rate of every bucket (+Inf when disabled).
func (t *Table) PerSecond() float64 { return float64(t.limit) }

// Len is the number of buckets held.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.keys)
}

// Limiter returns the bucket of key, creating it when there is none, and
// marks it used at now. It first drops the buckets that have been idle for
// a full refill and, when the table is full, the least recently used one.
func (t *Table) Limiter(key string, now time.Time) *rate.Limiter {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweep(now)
	if e, ok := t.keys[key]; ok {
		b := e.Value.(*bucket)
		if now.After(b.seen) {
			b.seen = now
		}
		t.order.MoveToFront(e)
		return b.lim
	}
	for len(t.keys) >= t.max {
		t.drop(t.order.Back())
	}
	b := &bucket{key: key, lim: rate.NewLimiter(t.limit, t.burst), seen: now}
	t.keys[key] = t.order.PushFront(b)
	return b.lim
}

// sweep drops, oldest first, the buckets idle for a full refill; callers
// hold mu. The list is in order of use, so it stops at the first bucket
// still in use.
func (t *Table) sweep(now time.Time) {
	if !t.Enabled() {
		return
	}
	for e := t.order.Back(); e != nil && now.Sub(e.Value.(*bucket).seen) >= t.refill; e = t.order.Back() {
		t.drop(e)
	}
}

func (t *Table) drop(e *list.Element) {
	delete(t.keys, e.Value.(*bucket).key)
	t.order.Remove(e)
}

// Take spends one token of key's bucket at now if one is there. When none
// is, it spends nothing and returns how long until one will be: a refused
// attempt does not push the next allowed one further away.
func (t *Table) Take(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	if !t.Enabled() {
		return true, 0
	}
	lim := t.Limiter(key, now)
	if lim.AllowN(now, 1) {
		return true, 0
	}
	return false, t.After(1 - lim.TokensAt(now))
}

// Forget drops key's bucket: the key starts again with a full one.
func (t *Table) Forget(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.keys[key]; ok {
		t.drop(e)
	}
}

// After is how long a bucket takes to gain n tokens.
func (t *Table) After(n float64) time.Duration {
	if n <= 0 || !t.Enabled() {
		return 0
	}
	return time.Duration(n / float64(t.limit) * float64(time.Second))
}
