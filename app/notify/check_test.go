package notify_test

import (
	"context"
	"testing"

	"github.com/belfry/belfry/app"
)

// TestCheck: Check refuses what Notify refuses, with the same kinds, and
// accepts what Notify accepts, creating and announcing nothing; the event
// comes back normalised.
func TestCheck(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		actor *app.User
		ev    app.Event
		kind  string
	}{
		{"unknown type", f.alice, app.Event{Type: "nope", Title: "x"}, app.EINVALID},
		{"empty title", f.alice, app.Event{Type: "job_failed", Title: "   "}, app.EINVALID},
		{"other user", f.alice, app.Event{Type: "job_failed", Title: "x", Users: []string{"bob"}}, app.EFORBIDDEN},
		{"everyone", f.alice, app.Event{Type: "job_failed", Title: "x", Users: []string{"*"}}, app.EFORBIDDEN},
		{"unknown user", f.root, app.Event{Type: "job_failed", Title: "x", Users: []string{"carol"}}, app.ENOTFOUND},
		{"system without users", nil, app.Event{Type: "job_failed", Title: "x"}, app.EINVALID},
		{"own", f.alice, app.Event{Type: "job_failed", Title: " x "}, ""},
		{"admin names others", f.root, app.Event{Type: "job_failed", Title: "x", Users: []string{"alice", "bob"}}, ""},
		{"system names others", nil, app.Event{Type: "job_failed", Title: "x", Users: []string{"*"}}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checked, notified := tt.ev, tt.ev
			err := f.disp.Check(ctx, tt.actor, &checked)
			if got := app.ErrorKind(err); got != tt.kind {
				t.Fatalf("Check error = %v (kind %q), want kind %q", err, got, tt.kind)
			}
			if tt.kind != "" {
				_, err := f.disp.Notify(ctx, tt.actor, &notified)
				if app.ErrorKind(err) != tt.kind {
					t.Fatalf("Notify says %v where Check says %v", err, tt.kind)
				}
				return
			}
			if checked.Level != app.LevelInfo || string(checked.Data) != "{}" || checked.Title != "x" {
				t.Errorf("not normalised: %+v", checked)
			}
		})
	}
	if n := len(f.list(t, f.alice)) + len(f.list(t, f.bob)) + len(f.list(t, f.root)); n != 0 {
		t.Errorf("%d notifications stored by Check", n)
	}
	f.changes.mu.Lock()
	defer f.changes.mu.Unlock()
	if n := len(f.changes.changes); n != 0 {
		t.Errorf("%d changes announced by Check", n)
	}
}
