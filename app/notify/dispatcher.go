// Package notify is the single place through which every notification
// changes state. Its Dispatcher is notify(), the one entry of every new
// notification (docs/architecture.md): it resolves recipients, applies object mutes
// and each recipient's preferences, stores the notifications together with
// their webhook deliveries, and publishes the changes for the real-time
// layer. Its Inbox reads, acknowledges and deletes them and publishes those
// changes the same way.
package notify

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
	"github.com/google/uuid"
)

// Deps are the dispatcher's collaborators. Webhooks and Emails may be nil
// (no webhook or e-mail capability wired); Now and Logger default to time.Now and slog.Default.
type Deps struct {
	Types         *app.Types
	Users         app.UserStore
	Notifications app.NotificationStore
	Preferences   app.PreferenceStore
	Mutes         app.MuteStore
	Changes       app.ChangePublisher
	Webhooks      app.WebhookRouter
	Emails        app.EmailRouter     // nil: e-mail is not configured
	Pushes        app.PushRouter      // nil: push is off
	Quiet         app.QuietRules      // nil: no quiet hours
	Escalations   app.EscalationRules // nil: no escalation
	Clock         clock.Clock         // nil: the wall clock
	Logger        *slog.Logger
}

// Dispatcher implements app.Dispatcher. It is safe for concurrent use.
type Dispatcher struct {
	d Deps

	order sync.Mutex // stamps ids and times in queue order
	last  time.Time  // the latest creation time stamped
	// turn is closed once the latest dispatch queued has announced its
	// notifications (or failed): each dispatch announces after the one
	// queued before it, so the bus carries them in commit order.
	turn chan struct{}
}

var _ app.Dispatcher = (*Dispatcher)(nil)

// New returns a dispatcher over d.
func New(d Deps) *Dispatcher {
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	d.Logger = cmp.Or(d.Logger, slog.Default())
	return &Dispatcher{d: d}
}

// Notify validates ev, resolves its recipients and delivers it on every
// channel: in-app rows (when the recipient's preference is on) and webhook
// deliveries are written in one durable transaction, then each created row
// is published as an app.ChangeCreated carrying the toast preference.
func (x *Dispatcher) Notify(ctx context.Context, actor *app.User, ev *app.Event) (*app.DispatchResult, error) {
	ev.Normalize()
	if err := ev.Validate(x.d.Types); err != nil {
		return nil, err
	}
	typ, _ := x.d.Types.Lookup(ev.Type)
	recipients, err := x.recipients(ctx, actor, ev.Users)
	if err != nil {
		return nil, err
	}
	if recipients, err = x.unmuted(ctx, ev.Object, recipients); err != nil {
		return nil, err
	}
	ids := make([]string, len(recipients))
	for i, u := range recipients {
		ids[i] = u.ID
	}
	stored, err := x.d.Preferences.PreferencesFor(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("load preferences: %w", err)
	}
	defaults := x.d.Types.DefaultPreferences()
	prefs := make([]app.Preferences, len(recipients))
	for i, u := range recipients {
		prefs[i] = merge(defaults, stored[u.ID])
	}
	var quiet map[string]*app.QuietHours
	if x.d.Quiet != nil && typ.Name != app.QuietDigestType {
		if quiet, err = x.d.Quiet.QuietHoursFor(ctx, ids); err != nil {
			return nil, fmt.Errorf("load quiet hours: %w", err)
		}
	}
	var rules map[string][]*app.EscalationRule
	if x.d.Escalations != nil && typ.Name != app.EscalationType {
		if rules, err = x.d.Escalations.EscalationRulesFor(ctx, ids); err != nil {
			return nil, fmt.Errorf("load escalation rules: %w", err)
		}
	}
	rows, toasts, out, wait, prev, mine, err := x.queue(ctx, typ, ev, recipients, prefs, quiet, rules)
	if err != nil {
		return nil, err
	}
	defer func() { <-prev; close(mine) }()
	res := &app.DispatchResult{Notifications: []app.NotificationRef{}, Webhooks: len(out.Webhooks), Emails: len(out.Emails),
		Pushes: len(out.Pushes)}
	if err := wait(); err != nil {
		return nil, fmt.Errorf("store notifications: %w", err)
	}
	for _, h := range out.Held {
		x.d.Quiet.Held(h.Until)
	}
	if len(out.Escalations) > 0 {
		x.d.Escalations.Escalating(out.Escalations[0].DueAt)
	}
	<-prev
	for i, n := range rows {
		res.Notifications = append(res.Notifications, app.NotificationRef{ID: n.ID, UserID: n.UserID})
		x.d.Changes.Publish(ctx, app.Change{Kind: app.ChangeCreated, UserID: n.UserID, ID: n.ID, Notification: n, Toast: toasts[i]})
	}
	return res, nil
}

// queue stamps the notifications with their ids and creation time, routes
// them to webhooks and queues the write, all under x.order: ids and times
// then grow in the order the writes commit, so a client paging forward by
// (created_at, id) never passes a row that becomes visible later. It takes
// the dispatch's turn to announce: prev is closed once the dispatch
// queued before has announced, mine must be closed once this one has (or
// failed), after prev. A recipient inside quiet hours (quiet), or who
// collects the type in a digest, gets no toast, e-mail, push or
// quiet-following webhook delivery; the notification is recorded for the
// window's (or the type's) digest instead. A stored notification that
// nothing held and that matches one of its recipient's escalation rules
// (rules) starts its ladder in the same write.
func (x *Dispatcher) queue(ctx context.Context, typ app.NotificationType, ev *app.Event, recipients []*app.User, prefs []app.Preferences,
	quiet map[string]*app.QuietHours, rules map[string][]*app.EscalationRule) (
	rows []*app.Notification, toasts []bool, out app.Outbox, wait func() error, prev, mine chan struct{}, err error) {
	x.order.Lock()
	defer x.order.Unlock()
	now := x.d.Clock.Now().UTC().Truncate(time.Millisecond)
	if now.Before(x.last) { // the wall clock stepped back
		now = x.last
	}
	x.last = now
	for i, u := range recipients {
		n, err := newNotification(u.ID, ev, now)
		if err != nil {
			return nil, nil, out, nil, nil, nil, err
		}
		until, quieted := quiet[u.ID].Holds(ev.Level, now)
		digest := "" // the quiet-hours window's, or the type's (collected)
		if !quieted {
			if until, quieted = quiet[u.ID].Collects(ev.Type, now); quieted {
				digest = ev.Type
			}
		}
		ch, err := x.channels(ctx, typ, n, prefs[i], quieted)
		if err != nil {
			return nil, nil, out, nil, nil, nil, err
		}
		out.Webhooks = append(out.Webhooks, ch.Webhooks...)
		out.Emails = append(out.Emails, ch.Emails...)
		out.Pushes = append(out.Pushes, ch.Pushes...)
		if ch.held {
			out.Held = append(out.Held, &app.QuietHeld{NotificationID: n.ID, UserID: u.ID, Digest: digest, Level: n.Level, Until: until})
		}
		if prefs[i].InApp(ev.Type) {
			rows = append(rows, n)
			toasts = append(toasts, prefs[i].Toast(ev.Type) && !quieted)
			if e := app.StartEscalation(rules[u.ID], n, ch.names()); e != nil && !quieted {
				out.Escalations = append(out.Escalations, e)
			}
		}
	}
	wait = func() error { return nil }
	if len(rows) > 0 || len(out.Webhooks) > 0 || len(out.Emails) > 0 || len(out.Pushes) > 0 || len(out.Held) > 0 {
		wait = x.d.Notifications.QueueNotifications(ctx, rows, out)
	}
	prev, mine = x.turn, make(chan struct{})
	if prev == nil {
		prev = make(chan struct{})
		close(prev)
	}
	x.turn = mine
	return rows, toasts, out, wait, prev, mine, nil
}

// routed is what one recipient's notification goes out on; held says
// quiet hours kept back at least one channel.
type routed struct {
	app.Outbox
	held bool
}

// names are the channels besides in-app that r carries: what an
// escalation's repeat step sends again.
func (r routed) names() []string {
	var out []string
	if len(r.Pushes) > 0 {
		out = append(out, "push")
	}
	if len(r.Emails) > 0 {
		out = append(out, "email")
	}
	return out
}

// channels routes n to the recipient's webhooks, e-mail and push by pref.
// When quieted, only the webhooks exempt from quiet hours keep their
// deliveries, and e-mail and push are not asked at all.
func (x *Dispatcher) channels(ctx context.Context, typ app.NotificationType, n *app.Notification, pref app.Preferences, quieted bool) (routed, error) {
	var r routed
	if x.d.Webhooks != nil && typ.WebhookEvent != "" {
		ds, err := x.d.Webhooks.Deliveries(ctx, typ, n)
		if err != nil {
			return r, fmt.Errorf("route webhooks: %w", err)
		}
		for _, d := range ds {
			if quieted && !d.QuietExempt {
				r.held = true
				continue
			}
			r.Webhooks = append(r.Webhooks, d)
		}
	}
	if quieted {
		r.held = r.held || pref.Toast(n.Type) && pref.InApp(n.Type) ||
			x.d.Emails != nil && pref.Email(n.Type) || x.d.Pushes != nil && pref.Push(n.Type)
		return r, nil
	}
	if x.d.Emails != nil && pref.Email(n.Type) {
		es, err := x.d.Emails.Emails(ctx, typ, n, pref.InApp(n.Type))
		if err != nil {
			return r, fmt.Errorf("route e-mails: %w", err)
		}
		r.Emails = es
	}
	if x.d.Pushes != nil && pref.Push(n.Type) {
		ps, err := x.d.Pushes.Pushes(ctx, typ, n, pref.InApp(n.Type))
		if err != nil {
			return r, fmt.Errorf("route pushes: %w", err)
		}
		r.Pushes = ps
	}
	return r, nil
}

// recipients resolves ev.Users: none means the actor, ["*"] every user, and
// names other than the actor's own need admin rights.
func (x *Dispatcher) recipients(ctx context.Context, actor *app.User, names []string) ([]*app.User, error) {
	if len(names) == 0 {
		if actor == nil {
			return nil, app.Errorf(app.EINVALID, "Field users is required when no user publishes.")
		}
		return []*app.User{actor}, nil
	}
	admin := actor == nil || actor.IsAdmin
	if len(names) == 1 && names[0] == "*" {
		if !admin {
			return nil, app.Errorf(app.EFORBIDDEN, "Only admins may notify every user.")
		}
		return x.d.Users.ListUsers(ctx)
	}
	seen := make(map[string]bool, len(names))
	unique := names[:0:0]
	for _, name := range names {
		if name == "*" {
			return nil, app.Errorf(app.EINVALID, `Field users: "*" must stand alone.`)
		}
		if !admin && name != actor.Username {
			return nil, app.Errorf(app.EFORBIDDEN, "Only admins may notify other users.")
		}
		if !seen[name] {
			seen[name] = true
			unique = append(unique, name)
		}
	}
	return x.d.Users.FindUsersByName(ctx, unique)
}

// unmuted drops the recipients who muted obj.
func (x *Dispatcher) unmuted(ctx context.Context, obj *app.ObjectRef, users []*app.User) ([]*app.User, error) {
	if obj == nil || len(users) == 0 {
		return users, nil
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	muted, err := x.d.Mutes.MutedUsers(ctx, *obj, ids)
	if err != nil {
		return nil, fmt.Errorf("load mutes: %w", err)
	}
	if len(muted) == 0 {
		return users, nil
	}
	kept := users[:0:0]
	for _, u := range users {
		if !muted[u.ID] {
			kept = append(kept, u)
		}
	}
	return kept, nil
}

func newNotification(userID string, ev *app.Event, now time.Time) (*app.Notification, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("new id: %w", err)
	}
	n := &app.Notification{
		ID: id.String(), UserID: userID, Type: ev.Type, Level: ev.Level,
		Title: ev.Title, Body: ev.Body, Data: ev.Data, TargetURL: ev.TargetURL,
		EmailSubject: ev.EmailSubject, ServiceID: ev.ServiceID, Project: ev.Project,
		Status: app.StatusPending, CreatedAt: now, Format: ev.Format,
	}
	if ev.Object != nil {
		obj := *ev.Object
		n.Object = &obj
	}
	return n, nil
}

func merge(defaults, stored app.Preferences) app.Preferences {
	if len(stored) == 0 {
		return defaults
	}
	p := make(app.Preferences, len(defaults))
	for k, v := range defaults {
		p[k] = v
	}
	for k, v := range stored {
		p[k] = v
	}
	return p
}
