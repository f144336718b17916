package webhook

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// ledger is a receiver's view of an outage: which webhook-ids it saw for
// each event, and how many times it accepted each id.
type ledger struct {
	t        testing.TB
	up       atomic.Bool
	mu       sync.Mutex
	ids      map[string]map[string]bool // notification id → webhook-ids
	accepted map[string]int             // webhook-id → accepted requests
	refused  int
}

func newLedger(t testing.TB) *ledger {
	return &ledger{t: t, ids: map[string]map[string]bool{}, accepted: map[string]int{}}
}

func (l *ledger) reply(r *http.Request, body []byte) (int, http.Header) {
	var env struct {
		ID   string
		Data struct{ ID string }
	}
	decodeJSON(l.t, body, &env)
	id := r.Header.Get("webhook-id")
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ids[env.Data.ID] == nil {
		l.ids[env.Data.ID] = map[string]bool{}
	}
	l.ids[env.Data.ID][id] = true
	if !l.up.Load() {
		l.refused++
		return http.StatusServiceUnavailable, nil
	}
	l.accepted[id]++
	return http.StatusNoContent, nil
}

// check fails unless every one of n events was accepted exactly once, under
// one webhook-id.
func (l *ledger) check(n int) {
	l.t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ids) != n || len(l.accepted) != n {
		l.t.Fatalf("%d events seen, %d accepted, want %d", len(l.ids), len(l.accepted), n)
	}
	for nid, ids := range l.ids {
		if len(ids) != 1 {
			l.t.Fatalf("event %s arrived under %d different webhook-ids", nid, len(ids))
		}
	}
	for id, k := range l.accepted {
		if k != 1 {
			l.t.Fatalf("webhook-id %s accepted %d times", id, k)
		}
	}
}

// TestOutage_ThousandEvents is the closing figure: a receiver down for a
// simulated 10 minutes while 1,000 events are published (one every 600 ms),
// then back. Every event is delivered, under one webhook-id each, none
// accepted twice. The simulation is driven by events: the clock jumps to the
// next publish or the next due retry, whichever comes first, and the worker
// drains what is due there, as Run does after a kick or its timer.
func TestOutage_ThousandEvents(t *testing.T) {
	const events, outage = 1000, 10 * time.Minute
	ctx := context.Background()
	f := newFixture(t)
	var mu sync.Mutex
	jitter := rand.New(rand.NewPCG(5, 47))
	f.worker.jitter = func() float64 {
		mu.Lock()
		defer mu.Unlock()
		return jitter.Float64()
	}
	l := newLedger(t)
	rcv := newReceiver(t, f.clock)
	rcv.reply = l.reply
	f.hook(f.alice, app.WebhookGeneric, rcv.URL)

	start := f.clock.Now()
	back := start.Add(outage)
	every := outage / events
	published, refused := 0, 0
	var allIn time.Time
	for f.clock.Now().Sub(back) < 48*time.Hour {
		if !l.up.Load() && !f.clock.Now().Before(back) {
			l.mu.Lock()
			refused = l.refused
			l.mu.Unlock()
			l.up.Store(true)
		}
		nextRetry, pending := f.worker.nextDue(ctx)
		if pending && !nextRetry.After(f.clock.Now()) {
			f.drain()
			continue
		}
		nextEvent := start.Add(time.Duration(published) * every)
		switch {
		case published < events && (!pending || !nextRetry.Before(nextEvent)):
			f.clock.Set(nextEvent)
			if !l.up.Load() && !nextEvent.Before(back) {
				continue // the receiver comes back first
			}
			f.publish(f.alice, app.Event{Title: "event"})
			published++
		case pending:
			if !l.up.Load() && nextRetry.After(back) {
				f.clock.Set(back)
				continue
			}
			f.clock.Set(nextRetry)
		default:
			allIn = f.clock.Now()
		}
		if !allIn.IsZero() {
			break
		}
	}
	if allIn.IsZero() || published != events {
		t.Fatalf("published %d; deliveries still pending two days after the receiver came back", published)
	}
	l.check(events)
	t.Logf("outage figure: %d events during %v with the receiver down; %d requests refused meanwhile (%.2f per event); "+
		"receiver back at +%v; all delivered at +%v, %v after it came back; %d requests in all",
		events, outage, refused, float64(refused)/events, back.Sub(start), allIn.Sub(start),
		allIn.Sub(back), len(rcv.requests()))
}

// BenchmarkBacklogDrain measures how fast a backlog of 1,000 due deliveries
// to one receiver goes out, each signed, sent and recorded, in both
// durability modes.
func BenchmarkBacklogDrain(b *testing.B) {
	const backlog = 1000
	for _, durability := range []string{"normal", "full"} {
		b.Run(durability, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				f := newFixture(b)
				if durability != f.durability {
					f.db.Close()
					f.durability = durability
					f.open()
				}
				l := newLedger(b)
				l.up.Store(true)
				rcv := newReceiver(b, f.clock)
				rcv.reply = l.reply
				f.hook(f.alice, app.WebhookGeneric, rcv.URL)
				queueBacklog(b, f, backlog)
				b.StartTimer()
				f.drain()
				b.StopTimer()
				l.check(backlog)
			}
			b.ReportMetric(float64(backlog*b.N)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}

// queueBacklog queues n deliveries in one transaction, as n dispatches would.
func queueBacklog(t testing.TB, f *fixture, n int) {
	var ds []*app.WebhookDelivery
	typ := app.BuiltinTypes[2] // job_failed → job.failed
	for i := 0; i < n; i++ {
		note := &app.Notification{ID: newUUID(t), UserID: f.alice.ID, Type: typ.Name, Level: app.LevelError,
			Title: "event", CreatedAt: f.clock.Now()}
		got, err := f.router.Deliveries(context.Background(), typ, note)
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, got...)
	}
	if err := f.store.InsertDeliveries(context.Background(), ds); err != nil {
		t.Fatal(err)
	}
}
