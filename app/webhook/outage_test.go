package webhook

import (
	"context"
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
// simulated 10 minutes while 1,000 events are published, then back. Every
// event is delivered, under one webhook-id each, none accepted twice. The
// clock moves in 10 s steps; after each step the worker drains what is due,
// as Run does after a kick or a timer.
func TestOutage_ThousandEvents(t *testing.T) {
	const events, step, outage = 1000, 10 * time.Second, 10 * time.Minute
	f := newFixture(t)
	l := newLedger(t)
	rcv := newReceiver(t, f.clock)
	rcv.reply = l.reply
	f.hook(f.alice, app.WebhookGeneric, rcv.URL)

	start := f.clock.Now()
	published, steps := 0, int(outage/step)
	for i := 0; i < steps; i++ {
		for published < (i+1)*events/steps {
			f.publish(f.alice, app.Event{Title: "event"})
			published++
		}
		f.drain()
		f.clock.Advance(step)
	}
	l.up.Store(true)
	back := f.clock.Now()
	l.mu.Lock()
	refused := l.refused
	l.mu.Unlock()
	wall := time.Now()
	var allIn time.Time
	for f.clock.Now().Sub(back) < 48*time.Hour {
		f.drain()
		if n, _ := f.store.CountPendingDeliveries(context.Background()); n == 0 {
			allIn = f.clock.Now()
			break
		}
		f.clock.Advance(step)
	}
	if allIn.IsZero() {
		t.Fatal("deliveries still pending two days after the receiver came back")
	}
	l.check(events)
	t.Logf("outage figure: %d events during %v down; %d requests refused meanwhile (%.2f per event); "+
		"all delivered %v after the receiver came back; %d requests in all; recovery took %v of wall time",
		events, back.Sub(start), refused, float64(refused)/events, allIn.Sub(back),
		len(rcv.requests()), time.Since(wall).Round(time.Millisecond))
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
