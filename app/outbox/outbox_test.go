package outbox

import (
	"testing"
	"time"
)

func TestBackoffJitter(t *testing.T) {
	for _, j := range []float64{0, 0.5, 0.999} {
		for i, step := range backoffSchedule {
			got := Backoff(i+1, j)
			if got < step || got > step+step/5 {
				t.Fatalf("Backoff(%d, %v) = %v, want within [%v, %v]", i+1, j, got, step, step+step/5)
			}
		}
	}
	if Backoff(40, 0) != 8*time.Hour {
		t.Fatalf("attempts past the schedule wait %v", Backoff(40, 0))
	}
}

func TestWait(t *testing.T) {
	now := time.Unix(1000, 0)
	for _, tc := range []struct {
		next time.Time
		ok   bool
		want time.Duration
	}{
		{time.Time{}, false, MaxIdle},
		{now.Add(-time.Hour), true, minWait},
		{now.Add(time.Second), true, time.Second},
		{now.Add(time.Hour), true, MaxIdle},
	} {
		if got := Wait(tc.next, tc.ok, now); got != tc.want {
			t.Errorf("Wait(%v, %v) = %v, want %v", tc.next, tc.ok, got, tc.want)
		}
	}
}
