package outbox

import (
	"slices"
	"testing"
	"time"
)

// Excluded leaves out running lanes and pauses that have not ended, and
// names the earliest pause end; a pause stays known to Resume after it
// ends.
func TestLanesExcludeRunningAndPaused(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	l := NewLanes()
	l.Start("running")
	l.Pause("later", now.Add(time.Minute))
	l.Pause("soon", now.Add(time.Second))
	l.Pause("over", now.Add(-time.Second))
	l.Start("soon") // running and paused: listed once
	skip, end, running := l.Excluded(now)
	slices.Sort(skip)
	if !slices.Equal(skip, []string{"later", "running", "soon"}) || !end.Equal(now.Add(time.Minute)) || running != 2 {
		t.Fatalf("excluded %v, pause end %v, running %d", skip, end, running)
	}
	l.End("soon")
	if _, end, running := l.Excluded(now); !end.Equal(now.Add(time.Second)) || running != 1 {
		t.Fatalf("after the lane ended: pause end %v, running %d", end, running)
	}
	if n := l.Paused(now); n != 2 {
		t.Fatalf("%d paused, want 2 (the ended pause does not count)", n)
	}
	if !l.Resume("over") || l.Resume("over") || l.Resume("never") {
		t.Fatal("Resume reports a pause once, and only one that was set")
	}
}
