package notify_test

import (
	"context"
	"sync"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/notify"
)

// queueRecorder wraps the real store and records the rows in the order
// their writes were queued, which is the order they commit in.
type queueRecorder struct {
	app.NotificationStore
	mu     sync.Mutex
	queued []*app.Notification
}

func (q *queueRecorder) QueueNotifications(ctx context.Context, ns []*app.Notification, out app.Outbox) func() error {
	q.mu.Lock()
	q.queued = append(q.queued, ns...)
	q.mu.Unlock()
	return q.NotificationStore.QueueNotifications(ctx, ns, out)
}

// Concurrent publishes must be stamped in commit order: otherwise a poller
// paging forward by (created_at, id) could pass a row that commits later.
// They are announced on the bus in that order too, so a live client that
// resumes after the last notification it got (ntfy's since=) misses none.
func TestNotifyStampsInCommitOrder(t *testing.T) {
	f := newFixture(t)
	rec := &queueRecorder{NotificationStore: f.notifs}
	types, _ := app.NewTypes(nil)
	disp := notify.New(notify.Deps{
		Types: types, Users: f.users, Notifications: rec, Preferences: f.prefs,
		Mutes: f.mutes, Changes: f.changes,
	})
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				if _, err := disp.Notify(context.Background(), f.alice, &app.Event{Type: "job_failed", Title: "x"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(rec.queued) != 640 {
		t.Fatalf("queued %d rows, want 640", len(rec.queued))
	}
	inOrder(t, "queued", rec.queued)
	announced := make([]*app.Notification, 0, len(f.changes.changes))
	for _, c := range f.changes.changes {
		announced = append(announced, c.Notification)
	}
	if len(announced) != 640 {
		t.Fatalf("announced %d rows, want 640", len(announced))
	}
	inOrder(t, "announced", announced)
}

func inOrder(t *testing.T, what string, rows []*app.Notification) {
	t.Helper()
	for i := 1; i < len(rows); i++ {
		a, b := rows[i-1], rows[i]
		if b.CreatedAt.Before(a.CreatedAt) || (b.CreatedAt.Equal(a.CreatedAt) && b.ID <= a.ID) {
			t.Fatalf("row %d (%v, %s) %s after (%v, %s): not in key order", i, b.CreatedAt, b.ID, what, a.CreatedAt, a.ID)
		}
	}
}
