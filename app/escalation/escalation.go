// Package escalation is escalation: each user's rules ("an error not read
// or acknowledged within 30 minutes") and the ladders they start. The
// dispatcher writes a ladder in the notification's own transaction (this
// service is its app.EscalationRules); each step, after its delay, sends
// the notification again on its channels with urgency high, e-mails it,
// delivers it to a chosen webhook, or notifies another user through the
// dispatcher. Reading or acknowledging the notification anywhere stops the
// rest: the service follows the bus, and every step re-checks the
// notification in the same write that records it. Ladders live in SQLite;
// one timer, on the injected clock, waits for the next step due, and steps
// missed while Belfry was off are taken at start.
package escalation

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
)

// Pusher builds the push of a repeat step (push.Service.Reminder).
type Pusher interface {
	Reminder(n *app.Notification, title string, now time.Time) ([]*app.Push, error)
	Devices(ctx context.Context, userID string) (int, error)
}

// Webhooks finds a user's webhook and builds a delivery to it
// (webhook.Router).
type Webhooks interface {
	DeliveryTo(ctx context.Context, userID, id string, n *app.Notification) (*app.WebhookDelivery, error)
}

// Hooks finds a user's webhook (webhook.Service): a webhook step must
// name one of its owner's.
type Hooks interface {
	Get(ctx context.Context, userID, id string) (*app.Webhook, error)
}

// Notifications finds a notification of any user (for the ladder's view).
type Notifications interface {
	FindNotification(ctx context.Context, id string) (*app.Notification, error)
}

// Deps are the service's collaborators.
type Deps struct {
	Store         app.EscalationStore // db.NewEscalationStore(d)
	Types         *app.Types
	Users         app.UserStore
	Notifications Notifications
	Webhooks      Webhooks // the "webhook" steps' deliveries
	Hooks         Hooks
	Emails        app.EmailRouter // nil: e-mail is off
	Pushes        Pusher          // nil: push is off
	// Kick wakes the outbox workers after a step queued rows; nil: none.
	Kick    func()
	BaseURL string // server.base_url: the link in another user's notification
	Clock   clock.Clock
	Logger  *slog.Logger
	// Deadlines carries new deadlines to every replica, so that the one
	// that runs the timers (docs/cluster.md) wakes for them (nil: this
	// process only).
	Deadlines *bus.Topic[time.Time]
}

// Service implements app.EscalationRules, the rules API and the ladders'
// timer. It is safe for concurrent use.
type Service struct {
	d Deps

	mu sync.Mutex
	// rules memoises each user's rules sorted by precedence (absent or
	// empty: none), read on every dispatch.
	rules map[string][]*app.EscalationRule
	// dirty are the users whose notifications were read or acknowledged
	// since Run last looked: their ladders may stop.
	dirty      map[string]bool
	dispatcher app.Dispatcher // the "user" steps'

	kick      chan struct{}         // wakes Run
	deadlines *bus.Topic[time.Time] // new first steps, to every replica's Run

	steps             map[string]*atomic.Uint64 // steps taken, by action
	cancelled, wakeup atomic.Uint64
}

var _ app.EscalationRules = (*Service)(nil)

// New returns a service over d. Its "user" steps need a dispatcher (Use).
func New(d Deps) *Service {
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	d.Logger = cmp.Or(d.Logger, slog.Default())
	if d.Kick == nil {
		d.Kick = func() {}
	}
	s := &Service{d: d, kick: make(chan struct{}, 1), rules: map[string][]*app.EscalationRule{}, dirty: map[string]bool{},
		steps: map[string]*atomic.Uint64{}, deadlines: cmp.Or(d.Deadlines, bus.Local[time.Time]())}
	s.deadlines.Subscribe(func(time.Time) { s.wake() })
	for _, a := range actions {
		s.steps[a] = new(atomic.Uint64)
	}
	return s
}

// actions are the step actions, in the order the metrics list them.
var actions = []string{app.EscalateRepeat, app.EscalateEmail, app.EscalateWebhook, app.EscalateUser}

// Use sets the dispatcher the "user" steps go through: the one built with
// this service as its Escalations, so it is set after.
func (s *Service) Use(d app.Dispatcher) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dispatcher = d
}

// EscalationRulesFor implements app.EscalationRules from the memo; users
// not in it are read in one query.
func (s *Service) EscalationRulesFor(ctx context.Context, userIDs []string) (map[string][]*app.EscalationRule, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := app.Memoise(ctx, s.rules, userIDs, func(ctx context.Context, missing []string) (map[string][]*app.EscalationRule, error) {
		stored, err := s.d.Store.EscalationRulesFor(ctx, missing)
		for _, rs := range stored {
			app.SortEscalationRules(rs)
		}
		return stored, err
	})
	if err != nil {
		return nil, err
	}
	out := map[string][]*app.EscalationRule{}
	for _, id := range userIDs {
		if rs := s.rules[id]; len(rs) > 0 {
			out[id] = rs
		}
	}
	return out, nil
}

// forget drops userID's memoised rules; the caller holds mu.
func (s *Service) forget(userID string) { delete(s.rules, userID) }

// Escalating implements app.EscalationRules: it wakes Run (that of the
// replica which runs the timers), since a new ladder's first step may be
// the next one due.
func (s *Service) Escalating(t time.Time) { s.deadlines.Publish(context.Background(), t) }

func (s *Service) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Handle follows the bus: a notification read or acknowledged (one, or
// all of a user's) may stop a ladder. It never blocks; Run looks.
func (s *Service) Handle(c app.Change) {
	switch c.Kind {
	case app.ChangeRead, app.ChangeAcknowledged, app.ChangeReadAll:
		s.mu.Lock()
		s.dirty[c.UserID] = true
		s.mu.Unlock()
		s.wake()
	}
}

// Resync makes Run look at the deadlines again after a gap of the bus,
// which may have lost one announced by another replica.
func (s *Service) Resync() { s.wake() }
