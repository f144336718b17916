package clocktest

import (
	"testing"
	"time"
)

func TestFake(t *testing.T) {
	c := New()
	start := c.Now()
	var fired []string
	c.AfterFunc(2*time.Second, func() { fired = append(fired, "late") })
	c.AfterFunc(time.Second, func() { fired = append(fired, "early") })
	stopped := c.AfterFunc(time.Second, func() { fired = append(fired, "stopped") })
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop must succeed once, on a pending timer")
	}
	if c.Pending() != 2 {
		t.Fatalf("pending %d, want 2", c.Pending())
	}
	c.Advance(500 * time.Millisecond)
	if len(fired) != 0 {
		t.Fatalf("fired %v before their time", fired)
	}
	c.Advance(3 * time.Second)
	if len(fired) != 2 || fired[0] != "early" || fired[1] != "late" {
		t.Fatalf("fired %v, want early then late", fired)
	}
	if got := c.Now().Sub(start); got != 3500*time.Millisecond {
		t.Fatalf("clock moved %v, want 3.5s", got)
	}
	done := make(chan struct{})
	c.AfterFunc(0, func() { close(done) })
	<-done
}
