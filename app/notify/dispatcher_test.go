package notify_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/notify"
	"github.com/belfry/belfry/db"
)

// recorder is a ChangePublisher that keeps what it was given.
type recorder struct {
	mu      sync.Mutex
	changes []app.Change
}

func (r *recorder) Publish(_ context.Context, c app.Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changes = append(r.changes, c)
}

// fakeRouter queues one delivery per notification, to check the hook.
type fakeRouter struct{ calls int }

func (f *fakeRouter) Deliveries(_ context.Context, typ app.NotificationType, n *app.Notification) ([]*app.WebhookDelivery, error) {
	f.calls++
	return nil, nil
}

type fixture struct {
	disp    *notify.Dispatcher
	users   *db.UserStore
	notifs  *db.NotificationStore
	prefs   *db.PreferenceStore
	mutes   *db.MuteStore
	changes *recorder
	router  *fakeRouter
	alice   *app.User
	bob     *app.User
	root    *app.User
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	d := apptest.OpenDB(t)
	types, err := app.NewTypes([]app.NotificationType{{Name: "backup_done", InApp: true, Toast: true}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{
		users: db.NewUserStore(d), notifs: db.NewNotificationStore(d),
		prefs: db.NewPreferenceStore(d), mutes: db.NewMuteStore(d),
		changes: &recorder{}, router: &fakeRouter{},
	}
	f.disp = notify.New(notify.Deps{
		Types: types, Users: f.users, Notifications: f.notifs, Preferences: f.prefs,
		Mutes: f.mutes, Changes: f.changes, Webhooks: f.router,
	})
	f.alice, f.bob, f.root = apptest.User(t, f.users, "alice", false), apptest.User(t, f.users, "bob", false), apptest.User(t, f.users, "root", true)
	return f
}

func (f *fixture) list(t *testing.T, u *app.User) []*app.Notification {
	t.Helper()
	ns, err := f.notifs.ListNotifications(context.Background(), app.NotificationFilter{UserID: u.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func TestNotifyDefaultsToActor(t *testing.T) {
	f := newFixture(t)
	res, err := f.disp.Notify(context.Background(), f.alice, &app.Event{Type: "job_failed", Title: " Backup failed ", Body: "**disk** full"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notifications) != 1 || res.Notifications[0].UserID != f.alice.ID {
		t.Fatalf("result = %+v, want one notification for alice", res)
	}
	ns := f.list(t, f.alice)
	if len(ns) != 1 {
		t.Fatalf("alice has %d notifications, want 1", len(ns))
	}
	n := ns[0]
	if n.Title != "Backup failed" || n.Level != app.LevelInfo || string(n.Data) != "{}" || n.EmailSubject != "[Belfry] Backup failed" || n.Status != app.StatusPending {
		t.Errorf("stored notification = %+v", n)
	}
	if len(f.list(t, f.bob)) != 0 {
		t.Error("bob received alice's event")
	}
	if len(f.changes.changes) != 1 || f.changes.changes[0].Kind != app.ChangeCreated || !f.changes.changes[0].Toast {
		t.Errorf("changes = %+v, want one created change with toast (job_failed toast default on)", f.changes.changes)
	}
	if f.router.calls != 1 {
		t.Errorf("webhook router called %d times, want 1", f.router.calls)
	}
}

func TestNotifyPreferences(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// rule_executed is off in-app by default: nothing stored, webhooks still routed.
	res, err := f.disp.Notify(ctx, f.alice, &app.Event{Type: "rule_executed", Title: "Rule ran"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notifications) != 0 || len(f.list(t, f.alice)) != 0 {
		t.Errorf("rule_executed stored although its in-app default is off: %+v", res)
	}
	if f.router.calls != 1 {
		t.Errorf("webhooks must be routed whatever the in-app preference; calls = %d", f.router.calls)
	}
	// weekly_report has no webhook event: the router is not asked.
	if _, err := f.disp.Notify(ctx, f.alice, &app.Event{Type: "weekly_report", Title: "Week"}); err != nil {
		t.Fatal(err)
	}
	if f.router.calls != 1 {
		t.Errorf("weekly_report routed to webhooks; calls = %d", f.router.calls)
	}
	// Turning job_completed's toast off makes the change carry no toast.
	if err := f.prefs.UpdatePreferences(ctx, f.alice.ID, app.Preferences{"job_completed_toast": false}); err != nil {
		t.Fatal(err)
	}
	f.changes.changes = nil
	if _, err := f.disp.Notify(ctx, f.alice, &app.Event{Type: "job_completed", Title: "Done"}); err != nil {
		t.Fatal(err)
	}
	if len(f.changes.changes) != 1 || f.changes.changes[0].Toast {
		t.Errorf("changes = %+v, want one without toast", f.changes.changes)
	}
	// Configured types work like built-in ones.
	if _, err := f.disp.Notify(ctx, f.alice, &app.Event{Type: "backup_done", Title: "Backup"}); err != nil {
		t.Fatal(err)
	}
}

func TestNotifyRecipients(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.disp.Notify(ctx, f.root, &app.Event{Type: "job_failed", Title: "x", Users: []string{"alice", "bob", "alice"}}); err != nil {
		t.Fatal(err)
	}
	if len(f.list(t, f.alice)) != 1 || len(f.list(t, f.bob)) != 1 || len(f.list(t, f.root)) != 0 {
		t.Error("admin naming alice and bob (alice twice) must give each exactly one notification")
	}
	if _, err := f.disp.Notify(ctx, f.root, &app.Event{Type: "job_failed", Title: "all", Users: []string{"*"}}); err != nil {
		t.Fatal(err)
	}
	if len(f.list(t, f.root)) != 1 || len(f.list(t, f.alice)) != 2 {
		t.Error(`"*" must reach every user`)
	}
	// A non-admin may name only themselves.
	if _, err := f.disp.Notify(ctx, f.alice, &app.Event{Type: "job_failed", Title: "self", Users: []string{"alice"}}); err != nil {
		t.Errorf("alice naming herself: %v", err)
	}
	// A nil actor is the system.
	if _, err := f.disp.Notify(ctx, nil, &app.Event{Type: "weekly_report", Title: "w", Users: []string{"bob"}}); err != nil {
		t.Errorf("system event: %v", err)
	}
}

func TestNotifyErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		actor *app.User
		ev    app.Event
		kind  string
	}{
		{"unknown type", f.alice, app.Event{Type: "nope", Title: "x"}, app.EINVALID},
		{"missing type", f.alice, app.Event{Title: "x"}, app.EINVALID},
		{"empty title", f.alice, app.Event{Type: "job_failed", Title: "   "}, app.EINVALID},
		{"bad level", f.alice, app.Event{Type: "job_failed", Title: "x", Level: "fatal"}, app.EINVALID},
		{"data not object", f.alice, app.Event{Type: "job_failed", Title: "x", Data: json.RawMessage(`[1]`)}, app.EINVALID},
		{"body too long", f.alice, app.Event{Type: "job_failed", Title: "x", Body: string(make([]byte, app.MaxBodyLen+1))}, app.EINVALID},
		{"bad url", f.alice, app.Event{Type: "job_failed", Title: "x", TargetURL: "javascript:alert(1)"}, app.EINVALID},
		{"bad object", f.alice, app.Event{Type: "job_failed", Title: "x", Object: &app.ObjectRef{AppLabel: "a"}}, app.EINVALID},
		{"other user", f.alice, app.Event{Type: "job_failed", Title: "x", Users: []string{"bob"}}, app.EFORBIDDEN},
		{"everyone", f.alice, app.Event{Type: "job_failed", Title: "x", Users: []string{"*"}}, app.EFORBIDDEN},
		{"star mixed", f.root, app.Event{Type: "job_failed", Title: "x", Users: []string{"*", "bob"}}, app.EINVALID},
		{"unknown user", f.root, app.Event{Type: "job_failed", Title: "x", Users: []string{"carol"}}, app.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := tt.ev
			_, err := f.disp.Notify(ctx, tt.actor, &ev)
			if got := app.ErrorKind(err); got != tt.kind {
				t.Fatalf("Notify error = %v (kind %q), want kind %q", err, got, tt.kind)
			}
		})
	}
	if n := len(f.list(t, f.alice)) + len(f.list(t, f.bob)); n != 0 {
		t.Errorf("%d notifications stored by rejected events", n)
	}
}

func TestNotifySkipsMutedRecipients(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	obj := app.ObjectRef{AppLabel: "config", ModelName: "device", ObjectID: "42"}
	past := time.Now().Add(-time.Hour)
	if err := f.mutes.CreateMute(ctx, &app.Mute{UserID: f.alice.ID, Object: obj}); err != nil {
		t.Fatal(err)
	}
	if err := f.mutes.CreateMute(ctx, &app.Mute{UserID: f.bob.ID, Object: obj, ValidTill: &past}); err != nil {
		t.Fatal(err)
	}
	res, err := f.disp.Notify(ctx, f.root, &app.Event{Type: "job_failed", Title: "device down", Object: &obj, Users: []string{"alice", "bob"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notifications) != 1 || res.Notifications[0].UserID != f.bob.ID {
		t.Fatalf("result = %+v, want only bob (alice muted, bob's mute expired)", res.Notifications)
	}
	if f.router.calls != 1 {
		t.Errorf("muted recipient's webhooks routed; calls = %d", f.router.calls)
	}
	other := app.ObjectRef{AppLabel: "config", ModelName: "device", ObjectID: "43"}
	if _, err := f.disp.Notify(ctx, f.root, &app.Event{Type: "job_failed", Title: "other", Object: &other, Users: []string{"alice"}}); err != nil {
		t.Fatal(err)
	}
	if len(f.list(t, f.alice)) != 1 {
		t.Error("a mute of one object silenced another")
	}
}
