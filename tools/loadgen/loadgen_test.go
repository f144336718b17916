package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestDeliveryEndToEnd runs a tiny delivery workload against the real
// binary: every socket must get every message, once, in publish order
// (one publisher at a time makes that order strict). It checks the
// instrument, not the server's speed.
func TestDeliveryEndToEnd(t *testing.T) {
	bin := belfryBinary(t)
	if raceEnabled {
		// A race-enabled program sleeps a second at exit by default: every
		// CLI command would.
		t.Setenv("GORACE", "atexit_sleep_ms=0")
	}
	for _, tc := range []struct {
		name  string
		users int // 1: the user's publish token; more: an admin token naming them
	}{
		{"one user", 1},
		{"two users", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			sys, err := startBelfry(belfryTarget{Bin: bin, Body: defaultBody})(ctx, systemOptions{Durability: "full"})
			if err != nil {
				t.Fatal(err)
			}
			d := delivery{Sockets: 5, Users: tc.users, Bursts: []int{12, 8}, Concurrency: 1, Settle: 3 * time.Second}
			f, p, r, err := d.runRecorded(ctx, sys)
			logs, stopErr := sys.Stop()
			if err != nil {
				t.Fatal(err)
			}
			if stopErr != nil {
				t.Error(stopErr)
			}
			if len(logs) > 0 {
				t.Errorf("server logged %s", formatCounts(logs))
			}
			if r.PublishFailures > 0 {
				t.Fatalf("%d publishes failed: %v", r.PublishFailures, r.PublishErr)
			}
			if !slices.Equal(r.Missing, []int{0, 0}) || r.Dropped > 0 || len(r.Ended) > 0 {
				t.Errorf("missing %v of %v, dropped %d, ended %v", r.Missing, r.Expected, r.Dropped, r.Ended)
			}
			if r.Order != (orderReport{}) || r.CountOnly+r.Reloads+r.Other > 0 {
				t.Errorf("order %+v; count-only %d, reload %d, other %d frames", r.Order, r.CountOnly, r.Reloads, r.Other)
			}
			want := make([]int32, 20)
			for i := range want {
				want[i] = int32(i)
			}
			for i, s := range f.sockets {
				if !slices.Equal(s.seqs, want) {
					t.Errorf("socket %d (user %d) received %v, want %v", i, s.user, s.seqs, want)
				}
			}
			if p.accepted(0, 20) != 20 || r.P50 <= 0 {
				t.Errorf("accepted %d of 20, p50 %s", p.accepted(0, 20), r.P50)
			}
		})
	}
}

// belfryBinary builds the belfry binary of this module once per test run,
// or returns $LOADGEN_BELFRY_BIN.
func belfryBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("LOADGEN_BELFRY_BIN"); bin != "" {
		return bin
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build belfry with")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin, err := buildBelfry(ctx, filepath.Join(t.TempDir(), "belfry"), false, raceEnabled)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestCheckOrder(t *testing.T) {
	// Message 0 is accepted before 2 is sent; 1 overlaps both.
	starts := []int64{10, 15, 30}
	acks := []int64{20, 40, 50}
	for _, tc := range []struct {
		name string
		seqs [][]int32 // per socket, all of user 0
		want orderReport
	}{
		{"in order", [][]int32{{0, 1, 2}, {0, 2}}, orderReport{}},
		{"overlapping publishes either way", [][]int32{{1, 0, 2}, {1, 0, 2}}, orderReport{}},
		{"accepted before the other was sent, arrives after", [][]int32{{2, 0, 1}, {2, 0, 1}}, orderReport{Reordered: 2}},
		{"sockets disagree", [][]int32{{0, 1, 2}, {1, 0}}, orderReport{Inconsistent: 1}},
		{"duplicate", [][]int32{{0, 0, 1, 2}}, orderReport{Duplicates: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sockets []*socket
			for _, s := range tc.seqs {
				sockets = append(sockets, &socket{seqs: s})
			}
			if got := checkOrder(sockets, starts, acks); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseTitle(t *testing.T) {
	at := time.Unix(0, 1_700_000_000_123_456_789)
	seq, sent, ok := parseTitle(messageTitle(42, at))
	if !ok || seq != 42 || sent != at.UnixNano() {
		t.Errorf("got %d %d %v", seq, sent, ok)
	}
	if _, _, ok := parseTitle(warmPrefix + "0"); ok {
		t.Error("a warm-up title parsed as a message")
	}
}

// TestLoginFloodEndToEnd runs a tiny login workload against the real
// binary: of 12 guesses for admin 5 are checked (the default
// auth.username_failure_burst) and 7 refused; 4 logins at once from as
// many addresses are all checked; every refusal says when to retry. The
// refill is slowed down and the hashing queue's timeout raised, so that a
// slow machine does not change the counts.
func TestLoginFloodEndToEnd(t *testing.T) {
	bin := belfryBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := trustLoopbackProxy(systemOptions{Durability: "full",
		Env: []string{"BELFRY_AUTH_USERNAME_FAILURES_PER_MINUTE=0.01", "BELFRY_AUTH_HASH_QUEUE_TIMEOUT=1m"}})
	sys, err := startBelfry(belfryTarget{Bin: bin})(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := loginFlood{Guesses: 12, Flood: 4}.run(ctx, sys)
	logs, stopErr := sys.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if stopErr != nil {
		t.Error(stopErr)
	}
	if len(logs) > 0 {
		t.Errorf("server logged %s", formatCounts(logs))
	}
	if r.Guesses[401] != 5 || r.Guesses[429] != 7 || r.Flood[401] != 4 || r.NoRetryAfter != 0 {
		t.Errorf("guesses %v, flood %v, %d refusals without Retry-After", r.Guesses, r.Flood, r.NoRetryAfter)
	}
	if r.Idle <= 0 || r.Peak < r.Idle {
		t.Errorf("resident memory idle %d, peak %d", r.Idle, r.Peak)
	}
}
