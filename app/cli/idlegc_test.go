package cli

import "testing"

func TestIdleWatchCollectsOnceQuietAfterWork(t *testing.T) {
	var w idleWatch
	steps := []struct {
		allocated uint64
		want      bool
	}{
		{100 << 20, false},                         // the first sample: start-up is not counted
		{100<<20 + 10<<10, false},                  // quiet, but nothing worth collecting
		{102 << 20, false},                         // busy: 2 MiB in a tick
		{103 << 20, false},                         // still busy
		{103<<20 + idleQuiet, true},                // quiet after 3 MiB: collect
		{103<<20 + idleQuiet + 1, false},           // quiet again, nothing new
		{103<<20 + idleQuiet + 900<<10, false},     // busy, under idleWorth
		{103<<20 + idleQuiet + 950<<10, false},     // quiet, still under idleWorth
		{103<<20 + idleQuiet + 1100<<10, false},    // busy: now past idleWorth
		{103<<20 + idleQuiet + 1100<<10 + 1, true}, // quiet: collect
	}
	for i, s := range steps {
		if got := w.quiet(s.allocated); got != s.want {
			t.Fatalf("step %d (%d bytes allocated): quiet = %v, want %v", i, s.allocated, got, s.want)
		}
	}
}
