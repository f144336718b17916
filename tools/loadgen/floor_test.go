package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary be the floor's child process, as the
// generator's binary is.
func TestMain(m *testing.M) {
	if floorChild() {
		return
	}
	os.Exit(m.Run())
}

// TestFloorDelivers runs a tiny delivery workload against both floors:
// every socket gets every message once, in publish order, and the durable
// floor has every message in its file before it answers.
func TestFloorDelivers(t *testing.T) {
	for _, durable := range []bool{false, true} {
		t.Run(map[bool]string{false: "floor", true: "floor fsync"}[durable], func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			sys, err := startFloor(durable)(ctx, systemOptions{})
			if err != nil {
				t.Fatal(err)
			}
			d := delivery{Sockets: 5, Users: 1, Bursts: []int{12, 8}, Concurrency: 1, Settle: 3 * time.Second}
			f, _, r, err := d.runRecorded(ctx, sys)
			stored, readErr := os.ReadFile(filepath.Join(sys.(ntfy).dir, "messages"))
			if _, stopErr := sys.Stop(); stopErr != nil {
				t.Error(stopErr)
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.PublishFailures > 0 || !slices.Equal(r.Missing, []int{0, 0}) || r.Dropped > 0 || r.Order != (orderReport{}) {
				t.Fatalf("%d publishes failed (%v), missing %v, dropped %d, order %+v", r.PublishFailures, r.PublishErr, r.Missing, r.Dropped, r.Order)
			}
			want := make([]int32, 20)
			for i := range want {
				want[i] = int32(i)
			}
			for i, s := range f.sockets {
				if !slices.Equal(s.seqs, want) {
					t.Errorf("socket %d received %v, want %v", i, s.seqs, want)
				}
			}
			messages := 0
			if readErr == nil {
				for _, line := range bytes.Split(bytes.TrimRight(stored, "\x00"), []byte("\n")) {
					if _, _, ok := parseTitle(string(line)); ok {
						messages++
					}
				}
			}
			if durable && messages != 20 {
				t.Errorf("the file holds %d of the 20 messages (%v)", messages, readErr)
			}
			if !durable && readErr == nil {
				t.Error("the floor that stores nothing wrote a file")
			}
		})
	}
}

// TestFloorDisconnectsASubscriberBehind: a subscriber whose queue is full
// is disconnected rather than left open with frames missing, so the
// generator counts it dropped.
func TestFloorDisconnectsASubscriberBehind(t *testing.T) {
	f := &floor{subs: map[*floorSub]struct{}{}}
	s := &floorSub{frames: make(chan []byte, 1), gone: make(chan struct{}), behind: make(chan struct{})}
	f.subs[s] = struct{}{}
	for i := range 2 {
		rec := httptest.NewRecorder()
		f.publish(rec, httptest.NewRequest(http.MethodPost, "/loadgen", strings.NewReader("m"+strconv.Itoa(i))))
		if rec.Code != http.StatusOK {
			t.Fatalf("publish %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	select {
	case <-s.behind:
	default:
		t.Fatal("a subscriber with a full queue was not disconnected")
	}
	if len(s.frames) != 1 {
		t.Fatalf("%d frames queued, want the first only", len(s.frames))
	}
}
