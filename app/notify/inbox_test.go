package notify_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/notify"
	"github.com/belfry/belfry/db"
)

// inboxFixture is the inbox over a real database with alice and bob, each
// with notifications, and a recorder of what it announced.
type inboxFixture struct {
	inbox      *notify.Inbox
	store      *db.NotificationStore
	changes    *recorder
	alice, bob *app.User
	d          *db.DB
}

func newInboxFixture(t *testing.T) *inboxFixture {
	t.Helper()
	d := apptest.OpenDB(t)
	users := db.NewUserStore(d)
	f := &inboxFixture{store: db.NewNotificationStore(d), changes: &recorder{}, d: d,
		alice: apptest.User(t, users, "alice", false), bob: apptest.User(t, users, "bob", false)}
	f.inbox = notify.NewInbox(f.store, d, f.changes)
	return f
}

// add stores n notifications of u and returns their ids.
func (f *inboxFixture) add(t *testing.T, u *app.User, n int) []string {
	t.Helper()
	var ns []*app.Notification
	var ids []string
	for i := range n {
		x := apptest.Notification(u.ID, fmt.Sprint("n", i))
		ns = append(ns, x)
		ids = append(ids, x.ID)
	}
	if err := f.store.CreateNotifications(context.Background(), ns, nil); err != nil {
		t.Fatal(err)
	}
	return ids
}

// take returns what was announced since the last take.
func (f *inboxFixture) take() []app.Change {
	f.changes.mu.Lock()
	defer f.changes.mu.Unlock()
	out := f.changes.changes
	f.changes.changes = nil
	return out
}

// wantChanges checks that exactly want was announced, in order.
func (f *inboxFixture) wantChanges(t *testing.T, step string, want ...app.Change) {
	t.Helper()
	got := f.take()
	if !slices.Equal(got, want) {
		t.Fatalf("%s announced %+v, want %+v", step, got, want)
	}
}

func TestInboxAnnouncesEachChangeOnceForTheOwner(t *testing.T) {
	ctx := context.Background()
	f := newInboxFixture(t)
	a := f.add(t, f.alice, 3)
	b := f.add(t, f.bob, 1)
	alice := f.alice.ID

	if err := f.inbox.MarkRead(ctx, alice, a[0]); err != nil {
		t.Fatal(err)
	}
	f.wantChanges(t, "mark read", app.Change{Kind: app.ChangeRead, UserID: alice, ID: a[0]})
	if err := f.inbox.MarkRead(ctx, alice, a[0]); err != nil {
		t.Fatal(err)
	}
	f.wantChanges(t, "mark read again")

	if n, err := f.inbox.MarkAllRead(ctx, alice); err != nil || n != 2 {
		t.Fatalf("mark all read: %d, %v", n, err)
	}
	f.wantChanges(t, "mark all read", app.Change{Kind: app.ChangeReadAll, UserID: alice})
	if n, err := f.inbox.MarkAllRead(ctx, alice); err != nil || n != 0 {
		t.Fatalf("mark all read again: %d, %v", n, err)
	}
	f.wantChanges(t, "mark all read again")

	if _, err := f.inbox.Acknowledge(ctx, alice, a[1]); err != nil {
		t.Fatal(err)
	}
	f.wantChanges(t, "acknowledge", app.Change{Kind: app.ChangeAcknowledged, UserID: alice, ID: a[1]})
	if _, err := f.inbox.Acknowledge(ctx, alice, a[1]); app.ErrorCode(err) != app.CodeNotificationResponded {
		t.Fatalf("acknowledge twice: %v", err)
	}
	f.wantChanges(t, "acknowledge twice")

	if err := f.inbox.Delete(ctx, alice, a[2]); err != nil {
		t.Fatal(err)
	}
	f.wantChanges(t, "delete", app.Change{Kind: app.ChangeDeleted, UserID: alice, ID: a[2]})

	if n, err := f.inbox.DeleteRead(ctx, alice); err != nil || n != 2 {
		t.Fatalf("delete read: %d, %v", n, err)
	}
	f.wantChanges(t, "delete read", app.Change{Kind: app.ChangeDeletedRead, UserID: alice})
	if n, err := f.inbox.DeleteRead(ctx, alice); err != nil || n != 0 {
		t.Fatalf("delete read again: %d, %v", n, err)
	}
	f.wantChanges(t, "delete read again")

	// Bob's notification is untouched by all of it.
	if n, err := f.store.FindNotification(ctx, b[0]); err != nil || n.IsRead() || n.Status != app.StatusPending {
		t.Fatalf("bob's notification after alice's changes: %+v, %v", n, err)
	}
}

func TestInboxRefusesAnotherUsersNotification(t *testing.T) {
	ctx := context.Background()
	f := newInboxFixture(t)
	b := f.add(t, f.bob, 1)[0]
	alice := f.alice.ID
	for name, try := range map[string]func() error{
		"mark read":   func() error { return f.inbox.MarkRead(ctx, alice, b) },
		"delete":      func() error { return f.inbox.Delete(ctx, alice, b) },
		"acknowledge": func() error { _, err := f.inbox.Acknowledge(ctx, alice, b); return err },
	} {
		if err := try(); app.ErrorCode(err) != app.CodeNotificationNotFound {
			t.Errorf("%s of bob's notification by alice: %v, want NOTIFICATION_NOT_FOUND", name, err)
		}
	}
	f.wantChanges(t, "refused changes")
	if n, err := f.store.FindNotification(ctx, b); err != nil || n.IsRead() || n.Status != app.StatusPending {
		t.Fatalf("bob's notification: %+v, %v", n, err)
	}
}

func TestInboxAcknowledgeMany(t *testing.T) {
	ctx := context.Background()
	f := newInboxFixture(t)
	a := f.add(t, f.alice, 3)
	b := f.add(t, f.bob, 1)[0]
	alice := f.alice.ID
	if _, err := f.inbox.Acknowledge(ctx, alice, a[2]); err != nil {
		t.Fatal(err)
	}
	f.take()
	missing := apptest.NewID()
	out, err := f.inbox.AcknowledgeMany(ctx, alice, []string{a[0], a[1], a[0], a[2], b, missing})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]app.AckOutcome{a[0]: app.AckDone, a[1]: app.AckDone, a[2]: app.AckResponded, b: app.AckDenied, missing: app.AckNotFound}
	for id, o := range want {
		if out[id] != o {
			t.Errorf("outcome of %s: %s, want %s", id, out[id], o)
		}
	}
	// One change per acknowledged id, a repeated id included only once.
	f.wantChanges(t, "acknowledge many",
		app.Change{Kind: app.ChangeAcknowledged, UserID: alice, ID: a[0]},
		app.Change{Kind: app.ChangeAcknowledged, UserID: alice, ID: a[1]})

	if _, err := f.inbox.AcknowledgeMany(ctx, alice, make([]string, app.MaxAcknowledgeMany+1)); app.ErrorKind(err) != app.EINVALID {
		t.Fatalf("%d ids: %v, want EINVALID", app.MaxAcknowledgeMany+1, err)
	}
	f.wantChanges(t, "too many ids")
}

func TestInboxPruneAnnouncesUsersWhoseNotificationsWent(t *testing.T) {
	ctx := context.Background()
	f := newInboxFixture(t)
	f.add(t, f.alice, 3)
	f.add(t, f.bob, 1)
	rules := app.PruneRules{KeepPerUser: 1}
	if c, err := f.inbox.Prune(ctx, rules, true); err != nil || c.ExcessNotifications != 2 {
		t.Fatalf("dry run: %+v, %v", c, err)
	}
	f.wantChanges(t, "dry run")
	if c, err := f.inbox.Prune(ctx, rules, false); err != nil || c.ExcessNotifications != 2 {
		t.Fatalf("prune: %+v, %v", c, err)
	}
	f.wantChanges(t, "prune", app.Change{Kind: app.ChangeDeleted, UserID: f.alice.ID})
}

// TestInboxDeleteAll: deleting all of a user's notifications, or those of
// one topic, announces each deleted one as deleted, once, for its owner
// only; nothing left to delete announces nothing.
func TestInboxDeleteAll(t *testing.T) {
	ctx := context.Background()
	f := newInboxFixture(t)
	all := f.add(t, f.alice, 3)
	f.add(t, f.bob, 1)
	f.take()
	topic := ""
	if n, err := f.inbox.DeleteAll(ctx, f.alice.ID, &topic); err != nil || n != 3 {
		t.Fatalf("delete the untopical: %d, %v", n, err)
	}
	got := f.take()
	slices.SortFunc(got, func(a, b app.Change) int { return strings.Compare(a.ID, b.ID) })
	want := []app.Change{}
	for _, id := range slices.Sorted(slices.Values(all)) {
		want = append(want, app.Change{Kind: app.ChangeDeleted, UserID: f.alice.ID, ID: id})
	}
	if !slices.Equal(got, want) {
		t.Fatalf("announced %+v, want %+v", got, want)
	}
	if n, err := f.inbox.DeleteAll(ctx, f.alice.ID, nil); err != nil || n != 0 {
		t.Fatalf("delete again: %d, %v", n, err)
	}
	f.wantChanges(t, "deleting nothing")
	if n, _ := f.store.CountNotifications(ctx, app.NotificationFilter{UserID: f.bob.ID}); n != 1 {
		t.Errorf("bob has %d notifications, want 1", n)
	}
}
