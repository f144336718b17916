package webhook

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
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

// TestWorkerBacksOffWhenClaimsFail checks that a worker whose claims keep
// failing while a delivery is due waits before the next try instead of
// retrying (and logging) every few milliseconds.
func TestWorkerBacksOffWhenClaimsFail(t *testing.T) {
	f := newFixture(t)
	f.hook(f.alice, app.WebhookGeneric, "https://hooks.example/x")
	f.publish(f.alice, app.Event{Type: "job_failed", Title: "due now"})
	store := &failingClaims{WebhookStore: f.store}
	deps := f.deps
	deps.Store = store
	w := NewWorker(deps)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	time.Sleep(500 * time.Millisecond)
	cancel()
	<-done
	if n := store.calls.Load(); n < 1 || n > 2 {
		t.Fatalf("%d claims in 500 ms while claiming fails, want 1 (then a wait of %v)", n, maxIdle)
	}
}
