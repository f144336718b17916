package schedule_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/schedule"
	"github.com/belfry/belfry/db"
)

// flaky is the application's dispatcher, failing the first delivery of
// one title as a busy database would.
type flaky struct {
	app.Dispatcher
	mu     sync.Mutex
	title  string
	failed bool
}

func (d *flaky) Notify(ctx context.Context, actor *app.User, ev *app.Event) (*app.DispatchResult, error) {
	d.mu.Lock()
	fail := ev.Title == d.title && !d.failed
	d.failed = d.failed || fail
	d.mu.Unlock()
	if fail {
		return nil, errors.New("database is locked")
	}
	return d.Dispatcher.Notify(ctx, actor, ev)
}

// TestScheduled_RetryAfterFailure: a delivery that fails for a passing
// reason keeps its event, does not hold back the next one due, and is
// retried 30 seconds later, once.
func TestScheduled_RetryAfterFailure(t *testing.T) {
	f := newFixture(t)
	store := db.NewScheduleStore(f.app.DB)
	now := f.clock.Now()
	for i, title := range []string{"Fails once", "Next"} {
		e := &app.ScheduledEvent{ID: apptest.NewID(), UserID: f.alice.ID, CreatedAt: now,
			Event: app.Event{Type: "job_failed", Title: title, Level: app.LevelInfo, Data: []byte("{}")}, DeliverAt: now.Add(time.Minute + time.Duration(i)*time.Millisecond)}
		if err := store.CreateScheduled(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	// A second service on the same table, with the flaky dispatcher; the
	// application's own sleeps (nothing was scheduled through it, its
	// timer is not set).
	s := schedule.New(schedule.Deps{Store: store, Users: f.app.Users, Dispatcher: &flaky{Dispatcher: f.app.Dispatcher, title: "Fails once"},
		Clock: f.clock, Logger: apptest.Logger()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	apptest.WaitFor(t, "armed", func() bool { return s.Armed() != 0 })
	f.clock.Advance(time.Minute + time.Second)
	if ns := f.waitStored(1); ns[0].Title != "Next" {
		t.Fatalf("delivered first: %q", ns[0].Title)
	}
	apptest.WaitFor(t, "the retry armed", func() bool { return s.Armed() > f.clock.Now().UnixMilli() })
	if left, _ := store.ListScheduled(context.Background(), f.alice.ID); len(left) != 1 || left[0].Event.Title != "Fails once" {
		t.Fatalf("kept for a retry: %+v", left)
	}
	f.clock.Advance(30 * time.Second)
	f.waitStored(2)
	apptest.WaitFor(t, "nothing left", func() bool { n, _ := store.CountScheduled(context.Background()); return n == 0 })
	f.clock.Advance(time.Hour)
	settle()
	if n := len(f.stored()); n != 2 {
		t.Fatalf("%d notifications, want 2", n)
	}
}
