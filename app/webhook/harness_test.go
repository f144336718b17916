package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/notify"
	"github.com/belfry/belfry/db"
	"github.com/google/uuid"
)

// syncBuffer is a log sink safe for the worker's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is the webhook capability on a real database: a dispatcher whose
// router is ours, a worker with jitter off, and two users.
type fixture struct {
	t          testing.TB
	path       string
	durability string
	db         *db.DB
	store      *db.WebhookStore
	clock      *clocktest.Fake
	logs       *syncBuffer
	deps       Deps
	hooks      *Webhooks
	router     *Router
	worker     *Worker
	service    *Service
	dispatcher app.Dispatcher
	alice, bob *app.User
}

type fixtureOption func(*Deps)

func withConfig(fn func(*app.WebhooksConfig)) fixtureOption {
	return func(d *Deps) { fn(&d.Config) }
}

var epoch = time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)

func newFixture(t testing.TB, opts ...fixtureOption) *fixture {
	t.Helper()
	f := &fixture{t: t, path: filepath.Join(t.TempDir(), "b.db"), durability: "normal", clock: clocktest.At(epoch), logs: &syncBuffer{}}
	cfg := app.DefaultConfig().Webhooks
	cfg.Timeout = app.Duration{Duration: 5 * time.Second}
	types, err := app.NewTypes(nil)
	if err != nil {
		t.Fatal(err)
	}
	f.deps = Deps{Config: cfg, BaseURL: "https://belfry.example", Types: types, Clock: f.clock,
		Logger: slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	for _, o := range opts {
		o(&f.deps)
	}
	f.open()
	users := db.NewUserStore(f.db)
	f.alice, f.bob = apptest.User(t, users, "alice", false), apptest.User(t, users, "bob", false)
	return f
}

// open opens (or reopens) the database and builds the services on it.
func (f *fixture) open() {
	f.t.Helper()
	cfg := app.DefaultConfig().Database
	cfg.Path, cfg.Durability = f.path, f.durability
	d, err := db.Open(db.Options{DatabaseConfig: cfg})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := d.Migrate(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	d.Now = f.clock.Now
	f.db = d
	f.t.Cleanup(func() { d.Close() })
	f.store = db.NewWebhookStore(d)
	f.deps.Store = f.store
	f.deps.Users = db.NewUserStore(d)
	f.deps.Client = nil
	f.hooks = New(f.deps)
	f.router, f.worker, f.service = f.hooks.Router, f.hooks.Worker, f.hooks.Service
	f.worker.jitter = func() float64 { return 0 }
	f.dispatcher = f.worker.KickAfter(notify.New(notify.Deps{
		Types: f.deps.Types, Users: db.NewUserStore(d), Notifications: db.NewNotificationStore(d),
		Preferences: db.NewPreferenceStore(d), Mutes: db.NewMuteStore(d), Changes: bus.New(),
		Webhooks: f.router, Clock: f.clock,
	}))
}

// hook stores an enabled webhook of u for events (default job.failed).
func (f *fixture) hook(u *app.User, kind app.WebhookKind, url string, events ...string) *app.Webhook {
	f.t.Helper()
	if len(events) == 0 {
		events = []string{"job.failed"}
	}
	w := &app.Webhook{UserID: u.ID, Name: string(kind), Kind: kind, URL: url, Events: events, Enabled: true}
	if kind == app.WebhookGeneric {
		w.Secret, _ = NewSecret()
	}
	if err := f.store.CreateWebhook(context.Background(), w); err != nil {
		f.t.Fatal(err)
	}
	return w
}

// publish dispatches one event of u's.
func (f *fixture) publish(u *app.User, ev app.Event) *app.DispatchResult {
	f.t.Helper()
	if ev.Type == "" {
		ev.Type = "job_failed"
	}
	if ev.Title == "" {
		ev.Title = "Backup failed"
	}
	res, err := f.dispatcher.Notify(context.Background(), u, &ev)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

// log returns w's delivery log, oldest first.
func (f *fixture) log(w *app.Webhook) []*app.WebhookDelivery {
	f.t.Helper()
	ds, err := f.store.ListDeliveries(context.Background(), app.DeliveryFilter{WebhookID: w.ID, Limit: 200})
	if err != nil {
		f.t.Fatal(err)
	}
	for i, j := 0, len(ds)-1; i < j; i, j = i+1, j-1 {
		ds[i], ds[j] = ds[j], ds[i]
	}
	return ds
}

func (f *fixture) drain() { f.worker.drain(context.Background()) }

// drain delivers everything due now, round after round, and returns when
// nothing due is left: Run's work without its waits, for tests that move an
// injected clock.
func (w *Worker) drain(ctx context.Context) {
	for ctx.Err() == nil {
		var lanes sync.WaitGroup
		started, _ := w.startLanes(ctx, &lanes)
		lanes.Wait()
		if started == 0 {
			return
		}
	}
}

// received is one request a receiver saw.
type received struct {
	Header http.Header
	Body   []byte
	At     time.Time // the fake clock when it arrived
}

// receiver is a real local HTTP endpoint whose answer tests program.
type receiver struct {
	*httptest.Server
	clock *clocktest.Fake
	mu    sync.Mutex
	reqs  []received
	reply func(r *http.Request, body []byte) (int, http.Header)
	got   chan received
}

func newReceiver(t testing.TB, clock *clocktest.Fake) *receiver {
	r := &receiver{clock: clock, got: make(chan received, 4096),
		reply: func(*http.Request, []byte) (int, http.Header) { return http.StatusNoContent, nil }}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	rec := received{Header: req.Header.Clone(), Body: body, At: r.clock.Now()}
	r.mu.Lock()
	r.reqs = append(r.reqs, rec)
	reply := r.reply
	r.mu.Unlock()
	select {
	case r.got <- rec:
	default: // nobody is reading so many; reqs keeps them all
	}
	code, h := reply(req, body)
	for k, v := range h {
		w.Header()[k] = v
	}
	w.WriteHeader(code)
}

// answer makes the receiver reply with code (and headers) from now on.
func (r *receiver) answer(code int, h http.Header) {
	r.mu.Lock()
	r.reply = func(*http.Request, []byte) (int, http.Header) { return code, h }
	r.mu.Unlock()
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.reqs...)
}

// decodeJSON unmarshals a received body.
func decodeJSON(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

func newUUID(t testing.TB) string {
	id, err := uuid.NewV7()
	if err != nil {
		t.Fatal(err)
	}
	return id.String()
}
