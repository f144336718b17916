// Package quiet is quiet hours: each user's weekly windows in their time
// zone, during which the dispatcher holds back toasts, Web Push, e-mail and
// quiet-following webhooks below a breakthrough level (the rule is
// app.QuietHours.Holds), and the one digest per window that goes out at its
// end. What was held and which windows were digested live in SQLite, so a
// restart mid-window, or Belfry off at the window's end, still gives one
// digest (at start). One timer, on the injected clock, waits for the next
// window end with something held.
package quiet

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/clock"
)

// maxLinks is how many held notifications a digest links to by name.
const maxLinks = 20

// recheckEvery bounds the wait for the next digest: timers of a suspended
// machine fire late, and a failed read is retried.
const recheckEvery = time.Hour

// Deps are the service's collaborators.
type Deps struct {
	Store   app.QuietStore // db.NewQuietStore(d)
	Types   *app.Types     // the types a digest may collect
	BaseURL string         // server.base_url: the digest's links work in e-mail too
	Users   app.UserStore
	// Zone is the server's zone, the default of a user who set none: the
	// weekly report's report.timezone (app.LoadZone).
	Zone   *time.Location
	Clock  clock.Clock  // nil: the wall clock; tests use clocktest.Fake
	Logger *slog.Logger // nil: slog.Default()
	// Settings carries the users whose settings changed to every replica,
	// which forget their memo (nil: this process only).
	Settings *bus.Topic[string]
	// Deadlines carries new deadlines to every replica, so that the one
	// that runs the timers (docs/cluster.md) wakes for them (nil: this
	// process only).
	Deadlines *bus.Topic[time.Time]
}

// Service implements app.QuietRules and sends the digests. It is safe for
// concurrent use.
type Service struct {
	d    Deps
	kick chan struct{}

	mu         sync.Mutex
	dispatcher app.Dispatcher
	// rules memoises each user's resolved quiet hours (nil: none), read on
	// every dispatch; Set replaces the user's entry.
	rules map[string]*app.QuietHours
	// settings carries the users whose settings changed to every replica.
	settings *bus.Topic[string]
	// deadlines carries window ends with something held to every replica.
	deadlines *bus.Topic[time.Time]
}

var _ app.QuietRules = (*Service)(nil)

// New returns a service over d. Its digests need a dispatcher (Use).
func New(d Deps) *Service {
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	d.Logger = cmp.Or(d.Logger, slog.Default())
	if d.Zone == nil {
		d.Zone = time.Local
	}
	s := &Service{d: d, kick: make(chan struct{}, 1), rules: map[string]*app.QuietHours{},
		settings: cmp.Or(d.Settings, bus.Local[string]()), deadlines: cmp.Or(d.Deadlines, bus.Local[time.Time]())}
	s.settings.Subscribe(s.forget)
	s.deadlines.Subscribe(s.wake)
	return s
}

// Use sets the dispatcher the digests go through: the one the dispatcher
// built with this service as its QuietRules, so it is set after.
func (s *Service) Use(d app.Dispatcher) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dispatcher = d
}

// Get returns userID's quiet hours with the defaults filled (no windows,
// breakthrough error, the server's zone).
func (s *Service) Get(ctx context.Context, userID string) (app.QuietHours, error) {
	q, _, err := s.d.Store.QuietHours(ctx, userID)
	if err != nil {
		return q, err
	}
	q.Normalize()
	if q.Timezone == "" {
		q.Timezone = s.d.Zone.String()
	}
	return q, nil
}

// Set validates and saves userID's quiet hours. Errors: EINVALID naming
// the field, ENOTFOUND.
func (s *Service) Set(ctx context.Context, userID string, q app.QuietHours) error {
	if err := q.Resolve(s.d.Zone); err != nil {
		return err
	}
	return s.changed(ctx, userID, func() error { return s.d.Store.SetQuietHours(ctx, userID, q) })
}

// changed runs write, a change of userID's settings, with the memo held (a
// dispatch reading the old rule waits for the new) and then tells every
// replica to forget userID's memo.
func (s *Service) changed(ctx context.Context, userID string, write func() error) error {
	s.mu.Lock()
	delete(s.rules, userID)
	err := write()
	s.mu.Unlock()
	if err == nil {
		s.settings.Publish(ctx, userID)
	}
	return err
}

// forget drops userID's memo.
func (s *Service) forget(userID string) {
	s.mu.Lock()
	delete(s.rules, userID)
	s.mu.Unlock()
}

// Resync drops every memo after the change bus may have missed settings
// changed on other replicas.
func (s *Service) Resync() {
	s.mu.Lock()
	clear(s.rules)
	s.mu.Unlock()
	s.wake(time.Time{}) // a window end announced meanwhile may be lost
}

// TypeDigests returns userID's type digests, never nil.
func (s *Service) TypeDigests(ctx context.Context, userID string) ([]app.TypeDigest, error) {
	q, _, err := s.d.Store.QuietHours(ctx, userID)
	if q.Digests == nil {
		q.Digests = []app.TypeDigest{}
	}
	return q.Digests, err
}

// SetTypeDigests validates and saves userID's type digests (none: every
// type one by one). Errors: EINVALID naming the type, ENOTFOUND.
func (s *Service) SetTypeDigests(ctx context.Context, userID string, ds []app.TypeDigest) error {
	if err := s.d.Types.ValidateTypeDigests(ds); err != nil {
		return err
	}
	return s.changed(ctx, userID, func() error { return s.d.Store.SetTypeDigests(ctx, userID, ds) })
}

// QuietHoursFor returns the resolved quiet hours of those of userIDs who
// have windows or type digests, from the memo; users not in it are read in one query.
func (s *Service) QuietHoursFor(ctx context.Context, userIDs []string) (map[string]*app.QuietHours, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := app.Memoise(ctx, s.rules, userIDs, func(ctx context.Context, missing []string) (map[string]*app.QuietHours, error) {
		stored, err := s.d.Store.QuietHoursFor(ctx, missing)
		resolved := make(map[string]*app.QuietHours, len(stored))
		for id, q := range stored {
			resolved[id] = s.resolved(id, q)
		}
		return resolved, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*app.QuietHours)
	for _, id := range userIDs {
		if q := s.rules[id]; q != nil {
			out[id] = q
		}
	}
	return out, nil
}

// resolved is q ready for the dispatcher, or nil when it holds nothing.
func (s *Service) resolved(userID string, q app.QuietHours) *app.QuietHours {
	if len(q.Windows) == 0 && len(q.Digests) == 0 {
		return nil
	}
	if err := q.Resolve(s.d.Zone); err != nil { // a zone the system no longer knows
		s.d.Logger.Warn("quiet hours ignored", "user", userID, "err", err)
		return nil
	}
	return &q
}

// Held wakes Run (that of the replica which runs the timers): a window
// end may now be the next digest due.
func (s *Service) Held(t time.Time) { s.deadlines.Publish(context.Background(), t) }

func (s *Service) wake(time.Time) {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run sends the digests of windows that ended while Belfry was off, then
// each at its window's end, until ctx ends.
func (s *Service) Run(ctx context.Context) {
	for {
		if _, err := s.Digest(ctx); err != nil && ctx.Err() == nil {
			s.d.Logger.Error("quiet hours digest", "err", err)
		}
		wait := time.Duration(-1) // nothing held: wait for a kick
		if next, ok, err := s.d.Store.NextQuietDigest(ctx); err != nil && ctx.Err() == nil {
			s.d.Logger.Error("quiet hours next digest", "err", err)
			wait = recheckEvery
		} else if ok {
			// A timer of a suspended machine fires late: look again hourly.
			wait = max(min(next.Sub(s.d.Clock.Now()), recheckEvery), 0)
		}
		if !clock.Sleep(ctx, s.d.Clock, wait, s.kick) {
			return
		}
	}
}

// Digest sends one digest notification per user and window that ended
// with something held, and returns how many it sent. Each window is
// claimed once, in the same write that forgets its held rows.
func (s *Service) Digest(ctx context.Context) (int, error) {
	s.mu.Lock()
	d := s.dispatcher
	s.mu.Unlock()
	if d == nil {
		return 0, nil
	}
	due, err := s.d.Store.ClaimQuietDigests(ctx, s.d.Clock.Now())
	if err != nil {
		return 0, err
	}
	sent, failed := 0, error(nil)
	for _, dg := range due { // claimed: a failure loses this digest, not the others
		u, err := s.d.Users.FindUserByID(ctx, dg.UserID)
		if app.ErrorKind(err) == app.ENOTFOUND {
			continue // deleted since
		}
		if err == nil {
			_, err = d.Notify(ctx, nil, digestEvent(dg, u.Username, strings.TrimSuffix(s.d.BaseURL, "/")))
		}
		if err != nil {
			failed = cmp.Or(failed, fmt.Errorf("digest of %s: %w", dg.UserID, err))
			continue
		}
		sent++
	}
	return sent, failed
}

// digestEvent is the digest of dg: "While you were away: 14
// notifications, 2 warnings" (quiet hours) or "Digest of job_completed: 12
// notifications" (a type digest), with a link to each held notification (the
// first maxLinks) in its body.
func digestEvent(dg app.QuietDigest, username, base string) *app.Event {
	levels := map[app.Level]int{}
	for _, h := range dg.Held {
		levels[h.Level]++
	}
	title := "While you were away: " + app.Plural(len(dg.Held), "notification")
	if dg.Digest != "" {
		title = "Digest of " + dg.Digest + ": " + app.Plural(len(dg.Held), "notification")
	}
	for _, l := range []app.Level{app.LevelWarning, app.LevelError} {
		if levels[l] > 0 {
			title += ", " + app.Plural(levels[l], string(l))
		}
	}
	var body strings.Builder
	for i, h := range dg.Held {
		if i == maxLinks {
			fmt.Fprintf(&body, "- and %d more\n", len(dg.Held)-maxLinks)
			break
		}
		title := cmp.Or(strings.NewReplacer("[", "\\[", "]", "\\]").Replace(h.Title), "(no longer in the inbox)")
		fmt.Fprintf(&body, "- [%s](%s/n/%s) (%s)\n", title, base, h.NotificationID, h.Level)
	}
	data := fmt.Sprintf(`{"until":%q,"held":%d,"warnings":%d,"errors":%d,"digest":%q}`,
		dg.Until.UTC().Format(time.RFC3339), len(dg.Held), levels[app.LevelWarning], levels[app.LevelError], dg.Digest)
	return &app.Event{Type: app.QuietDigestType, Level: app.LevelInfo, Title: title, Body: body.String(),
		Format: app.FormatMarkdown, Users: []string{username}, Data: []byte(data)}
}
