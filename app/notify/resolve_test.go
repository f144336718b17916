package notify_test

import (
	"context"
	"testing"

	"github.com/belfry/belfry/app"
)

// TestInboxResolve: resolving an unread alert announces it read once; a
// read one changes silently; another user's is not found.
func TestInboxResolve(t *testing.T) {
	ctx := context.Background()
	f := newInboxFixture(t)
	ids := f.add(t, f.alice, 2)

	if err := f.inbox.Resolve(ctx, f.alice.ID, ids[0]); err != nil {
		t.Fatal(err)
	}
	f.wantChanges(t, "resolve", app.Change{Kind: app.ChangeRead, UserID: f.alice.ID, ID: ids[0]})
	if n, _ := f.store.FindNotification(ctx, ids[0]); !n.IsRead() || n.Title != "Resolved: n0" {
		t.Fatalf("resolved: read %v, title %q", n.IsRead(), n.Title)
	}
	if err := f.inbox.Resolve(ctx, f.alice.ID, ids[0]); err != nil {
		t.Fatal(err)
	}
	f.wantChanges(t, "resolve again")

	if err := f.inbox.MarkRead(ctx, f.alice.ID, ids[1]); err != nil {
		t.Fatal(err)
	}
	f.take()
	if err := f.inbox.Resolve(ctx, f.alice.ID, ids[1]); err != nil {
		t.Fatal(err)
	}
	f.wantChanges(t, "resolve a read one")
	if n, _ := f.store.FindNotification(ctx, ids[1]); n.Title != "Resolved: n1" {
		t.Fatalf("title %q", n.Title)
	}

	if err := f.inbox.Resolve(ctx, f.bob.ID, ids[1]); app.ErrorKind(err) != app.ENOTFOUND {
		t.Fatalf("bob resolving alice's: %v", err)
	}
	f.wantChanges(t, "another user's")
}
