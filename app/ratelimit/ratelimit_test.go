package ratelimit

import (
	"strconv"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestTakeDrainsAndRefills(t *testing.T) {
	tb := New(0.5, 3, 10) // a token every 2 s, 3 at once
	for i := range 3 {
		if ok, _ := tb.Take("a", t0); !ok {
			t.Fatalf("take %d of the burst refused", i+1)
		}
	}
	ok, wait := tb.Take("a", t0)
	if ok || wait != 2*time.Second {
		t.Fatalf("take beyond the burst = %v, retry after %s; want refused, 2s", ok, wait)
	}
	// Refusals spend nothing: a second later one more second to wait.
	if ok, wait := tb.Take("a", t0.Add(time.Second)); ok || wait != time.Second {
		t.Fatalf("after 1 s = %v, %s; want refused, 1s", ok, wait)
	}
	if ok, _ := tb.Take("a", t0.Add(2*time.Second)); !ok {
		t.Fatal("refused after the retry time")
	}
	if ok, _ := tb.Take("b", t0); !ok {
		t.Fatal("another key shares the bucket")
	}
}

func TestSweepDropsOnlyRefilledBuckets(t *testing.T) {
	tb := New(1, 10, 100) // an empty bucket refills in 10 s
	for range 10 {
		tb.Take("busy", t0)
	}
	tb.Take("idle", t0)
	// 10 s later both are full again: indistinguishable from new ones.
	now := t0.Add(10 * time.Second)
	tb.Take("fresh", now)
	if got := tb.Len(); got != 1 {
		t.Fatalf("%d buckets after a full refill, want 1", got)
	}
	// A bucket drained 5 s ago has not refilled: it is kept with its
	// state (5 of 10 back), not reset to full.
	for range 10 {
		tb.Take("drained", now)
	}
	now = now.Add(5 * time.Second)
	tb.Take("other", now)
	if got := tb.Len(); got != 3 {
		t.Fatalf("%d buckets, want drained, fresh and other", got)
	}
	if tokens := tb.Limiter("drained", now).TokensAt(now); tokens != 5 {
		t.Fatalf("the drained bucket has %g tokens after 5 s, want 5", tokens)
	}
}

func TestTableIsBounded(t *testing.T) {
	tb := New(1.0/60, 5, 100) // refills in 5 minutes: no sweep helps
	for range 5 {
		tb.Take("victim", t0)
	}
	for i := range 10_000 {
		tb.Take("spray-"+strconv.Itoa(i), t0.Add(time.Duration(i)*time.Millisecond))
		if i%50 == 0 {
			tb.Take("kept", t0.Add(time.Duration(i)*time.Millisecond)) // recently used: survives
		}
		if n := tb.Len(); n > 100 {
			t.Fatalf("%d buckets after %d keys, bound 100", n, i+1)
		}
	}
	tb.mu.Lock()
	_, kept := tb.keys["kept"]
	_, victim := tb.keys["victim"]
	tb.mu.Unlock()
	if !kept || victim {
		t.Fatalf("kept %v (want true), victim %v (want false: least recently used)", kept, victim)
	}
}

func TestForget(t *testing.T) {
	tb := New(1.0/60, 2, 10)
	tb.Take("a", t0)
	tb.Take("a", t0)
	if ok, _ := tb.Take("a", t0); ok {
		t.Fatal("drained bucket allowed")
	}
	tb.Forget("a")
	tb.Forget("never seen")
	if ok, _ := tb.Take("a", t0); !ok || tb.Len() != 1 {
		t.Fatalf("after Forget: allowed %v, %d buckets", ok, tb.Len())
	}
}

func TestDisabled(t *testing.T) {
	for _, rate := range []float64{0, -1} {
		tb := New(rate, 1, 10)
		for i := range 100 {
			if ok, _ := tb.Take("a", t0); !ok {
				t.Fatalf("rate %g: take %d refused", rate, i)
			}
		}
		if tb.Enabled() || tb.Len() != 0 {
			t.Fatalf("rate %g: enabled %v, %d buckets", rate, tb.Enabled(), tb.Len())
		}
	}
}
