package webhook

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/outbox"
)

// failingClaims is the webhook store with every claim failing, as on a full
// disk: an injected fault at the worker's edge.
type failingClaims struct {
	app.WebhookStore
	calls atomic.Int64
}

func (s *failingClaims) ClaimDeliveries(context.Context, app.ClaimRequest) ([]*app.DeliveryClaim, error) {
	s.calls.Add(1)
	return nil, errors.New("database or disk is full")
}

// TestWorkerBacksOffWhenClaimsFail checks that a worker whose claim failed
// while a delivery is due waits maxIdle before the next try instead of
// retrying (and logging) every minWait, and claims at the due time again
// once a claim succeeds.
func TestWorkerBacksOffWhenClaimsFail(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, f.clock)
	f.hook(f.alice, app.WebhookGeneric, rcv.URL)
	f.publish(f.alice, app.Event{Type: "job_failed", Title: "due now"})
	store := &failingClaims{WebhookStore: f.store}
	w := f.worker
	w.d.Store = store
	ctx := context.Background()
	var lanes sync.WaitGroup
	if started, _ := w.startLanes(ctx, &lanes); started != 0 || store.calls.Load() != 1 {
		t.Fatalf("%d lanes started, %d claims; want 0 and 1", started, store.calls.Load())
	}
	if wake := w.nextWake(ctx, false); wake != outbox.MaxIdle {
		t.Fatalf("after a failed claim with a delivery due the worker wakes in %v, want %v", wake, outbox.MaxIdle)
	}
	if !strings.Contains(f.logs.String(), "claim webhook deliveries") {
		t.Errorf("the failed claim was not logged: %s", f.logs)
	}

	// The same worker on a store that answers: the due delivery is claimed.
	w.d.Store = f.store
	started, _ := w.startLanes(ctx, &lanes)
	lanes.Wait()
	if started != 1 || len(rcv.requests()) != 1 {
		t.Fatalf("%d lanes started and %d deliveries sent once claims work, want 1 and 1", started, len(rcv.requests()))
	}
}
