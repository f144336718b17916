package hub

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// recorder is a userQueues consumer that can be held up.
type recorder struct {
	mu      sync.Mutex
	batches map[string][][]jobKind
	changes map[string][]app.ChangeKind
	gate    chan struct{} // run waits on it when not nil
	started chan struct{}
}

func (r *recorder) run(userID string, jobs []job) {
	if r.started != nil {
		r.started <- struct{}{}
	}
	if r.gate != nil {
		<-r.gate
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var kinds []jobKind
	for _, j := range jobs {
		kinds = append(kinds, j.kind)
		if j.kind == jobChange {
			r.changes[userID] = append(r.changes[userID], j.change.Kind)
		}
	}
	r.batches[userID] = append(r.batches[userID], kinds)
}

func newRecorder() *recorder {
	return &recorder{batches: map[string][][]jobKind{}, changes: map[string][]app.ChangeKind{}}
}

func change(k app.ChangeKind) job { return job{kind: jobChange, change: app.Change{Kind: k}} }

func TestUserQueuesKeepOrderPerUser(t *testing.T) {
	rec := newRecorder()
	q := newUserQueues(1000, rec.run)
	kinds := []app.ChangeKind{app.ChangeCreated, app.ChangeRead, app.ChangeDeleted, app.ChangeReadAll, app.ChangeDeletedRead}
	for i := range 200 {
		for _, u := range []string{"a", "b", "c"} {
			q.enqueue(u, change(kinds[i%len(kinds)]))
		}
	}
	q.close()
	for _, u := range []string{"a", "b", "c"} {
		got := rec.changes[u]
		if len(got) != 200 {
			t.Fatalf("user %s: %d changes, want 200", u, len(got))
		}
		for i, k := range got {
			if k != kinds[i%len(kinds)] {
				t.Fatalf("user %s: change %d is %v, out of order", u, i, k)
			}
		}
	}
	if q.enqueue("a", change(app.ChangeRead)) {
		t.Fatal("enqueue after close was accepted")
	}
}

func TestUserQueuesOverflowBecomesResync(t *testing.T) {
	rec := newRecorder()
	rec.gate = make(chan struct{})
	rec.started = make(chan struct{}, 10)
	q := newUserQueues(3, rec.run)
	q.enqueue("a", change(app.ChangeCreated))
	<-rec.started // the worker holds the first batch; the rest queue up
	for range 10 {
		q.enqueue("a", change(app.ChangeRead))
	}
	// Another user is not held up by a's slow worker.
	q.enqueue("b", change(app.ChangeDeleted))
	select {
	case <-rec.started:
	case <-time.After(guard):
		t.Fatal("user b's worker did not start")
	}
	close(rec.gate)
	q.close()
	want := [][]jobKind{{jobChange}, {jobChange, jobChange, jobChange, jobResync}}
	if got := rec.batches["a"]; !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("batches %v, want %v", got, want)
	}
	if got := rec.batches["b"]; len(got) != 1 {
		t.Fatalf("user b: batches %v", got)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.queues) != 0 {
		t.Fatalf("%d idle queues kept", len(q.queues))
	}
}
