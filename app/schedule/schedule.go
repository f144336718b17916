// Package schedule is scheduled delivery: a publish that names a later
// time (deliver_at or delay in the native API, ntfy's At/In/Delay) is
// validated at once — its type, fields and recipients, as the dispatcher
// would — and kept in SQLite, whole, until then. Until it is due it is
// invisible: no notification, badge, socket frame, webhook, e-mail or push
// exists; its publisher can list and cancel it. When it is due it is handed
// to the app.Dispatcher (so created_at is the delivery time and every
// channel applies) and its row is deleted.
//
// Routes: GET /api/v1/events/scheduled (the caller's pending events) and
// DELETE /api/v1/events/scheduled/:id (cancel one).
//
// One timer waits for the earliest delivery time of all (rounded up to the
// second, so events of the same second share a wake-up); at start, events
// that fell due while Belfry was off are delivered at once.
package schedule

import (
	"cmp"
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/clock"
	"github.com/google/uuid"
)

// Checker validates an event the way the dispatcher will deliver it
// (notify.Dispatcher.Check).
type Checker interface {
	Check(ctx context.Context, actor *app.User, ev *app.Event) error
}

// Deps are the service's collaborators.
type Deps struct {
	Config     app.ScheduleConfig
	Store      app.ScheduleStore
	Users      app.UserStore
	Dispatcher app.Dispatcher
	Checker    Checker
	Clock      clock.Clock  // nil: the wall clock; tests use clocktest.Fake
	Logger     *slog.Logger // nil: slog.Default()
	// Deadlines carries new deadlines to every replica, so that the one
	// that runs the timers (docs/cluster.md) wakes for them (nil: this
	// process only).
	Deadlines *bus.Topic[time.Time]
	// Locker makes the work on one object exclusive across the replicas
	// (nil: app.Alone, this process's own locks only).
	Locker app.Locker
}

// Service keeps and delivers scheduled events. It is safe for concurrent
// use.
type Service struct {
	d Deps
	// mu serialises a delivery with a cancel, so an event is either
	// cancelled or delivered, never both.
	mu sync.Mutex
	// alarm waits for the earliest delivery time.
	alarm     *clock.Alarm
	deadlines *bus.Topic[time.Time]
	// delivered counts the events handed to the dispatcher, failed those
	// it refused at delivery.
	delivered, failed atomic.Int64
}

var _ app.Scheduler = (*Service)(nil)

// New returns the service over d.
func New(d Deps) *Service {
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	d.Logger = cmp.Or(d.Logger, slog.Default())
	d.Locker = cmp.Or[app.Locker](d.Locker, app.Alone{})
	if d.Config.MaxDelay.Duration == 0 {
		d.Config.MaxDelay.Duration = app.DefaultMaxDelay
	}
	s := &Service{d: d, alarm: clock.NewAlarm(d.Clock), deadlines: cmp.Or(d.Deadlines, bus.Local[time.Time]())}
	s.deadlines.Subscribe(s.alarm.Changed)
	return s
}

// MaxDelay is how far ahead an event may be scheduled (schedule.max_delay).
func (s *Service) MaxDelay() time.Duration { return s.d.Config.MaxDelay.Duration }

// Schedule implements app.Scheduler.
func (s *Service) Schedule(ctx context.Context, owner *app.User, asSystem bool, ev *app.Event, at time.Time) (*app.ScheduledEvent, error) {
	now := s.now()
	if err := app.CheckDeliverAt(now, at, s.MaxDelay()); err != nil {
		return nil, err
	}
	actor := owner
	if asSystem {
		actor = nil
	}
	if err := s.d.Checker.Check(ctx, actor, ev); err != nil {
		return nil, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	e := &app.ScheduledEvent{ID: id.String(), UserID: owner.ID, AsSystem: asSystem, Event: *ev,
		DeliverAt: at.UTC().Truncate(time.Millisecond), CreatedAt: now}
	if err := s.d.Store.CreateScheduled(ctx, e); err != nil {
		return nil, err
	}
	s.deadlines.Publish(ctx, e.DeliverAt)
	return e, nil
}

// List returns userID's pending events, earliest first.
func (s *Service) List(ctx context.Context, userID string) ([]*app.ScheduledEvent, error) {
	return s.d.Store.ListScheduled(ctx, userID)
}

// Cancel implements app.Scheduler.
func (s *Service) Cancel(ctx context.Context, userID, id, topic string) (*app.ScheduledEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.d.Locker.Lock(ctx, "scheduled:"+id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	e, err := s.d.Store.FindScheduled(ctx, id)
	if err != nil {
		return nil, err
	}
	if e.UserID != userID || (topic != "" && e.Event.ServiceID != topic) {
		return nil, missing()
	}
	ok, err := s.d.Store.DeleteScheduled(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, missing()
	}
	return e, nil
}

func missing() error {
	return app.CodedErrorf(app.ENOTFOUND, app.CodeScheduleMissing, "Scheduled event not found: it was cancelled, delivered, or never existed.")
}

func (s *Service) now() time.Time { return s.d.Clock.Now().UTC() }

// Resync makes Run look at the deadlines again after a gap of the bus,
// which may have lost one announced by another replica.
func (s *Service) Resync() { s.alarm.Kick() }
