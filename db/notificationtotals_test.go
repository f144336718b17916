package db

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// TestNotificationTotals checks the trigger-kept totals against COUNT(*)
// for every filter, after inserts, acknowledgements, deletes and a user's
// cascading delete, and that migration 00002 fills them for existing rows.
func TestNotificationTotals(t *testing.T) {
	ctx := context.Background()
	d, err := Open(testOptions(filepath.Join(t.TempDir(), "t.db"), "normal"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	store, users, totals := NewNotificationStore(d), NewUserStore(d), NewNotificationTotals(d)
	var ids []string
	for i := range 3 {
		u := &app.User{Username: fmt.Sprintf("user%d", i), PasswordHash: "x"}
		if err := users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	pick := func(vals ...string) string { return vals[rng.IntN(len(vals))] }
	var rows []*app.Notification
	for i := range 300 {
		rows = append(rows, &app.Notification{ID: newID(), Status: app.StatusPending, Data: json.RawMessage("{}"),
			UserID: ids[i%3], Type: "job_failed", Level: app.LevelInfo, Title: "t",
			ServiceID: pick("", "backup", "mail"), Project: pick("", "home", "work"),
			CreatedAt: time.UnixMilli(int64(1_000_000 + i)),
		})
	}
	if err := store.CreateNotifications(ctx, rows, nil); err != nil {
		t.Fatal(err)
	}

	check := func(step string) {
		t.Helper()
		for _, u := range append(ids, "nobody") {
			for _, status := range []string{"", app.StatusPending, app.StatusAcknowledged} {
				for _, service := range []string{"", "backup", "mail", "none"} {
					for _, project := range []string{"", "home", "work", "none"} {
						f := app.NotificationFilter{UserID: u, Status: status, ServiceID: service, Project: project}
						want, err := store.CountNotifications(ctx, f)
						if err != nil {
							t.Fatal(err)
						}
						got, err := totals.CountNotifications(ctx, f)
						if err != nil || got != want {
							t.Fatalf("%s: totals(%+v) = %d, %v; COUNT(*) = %d", step, f, got, err, want)
						}
					}
				}
			}
		}
	}
	check("after inserts")

	for _, n := range rows[:40] {
		if _, err := store.Acknowledge(ctx, n.UserID, n.ID); err != nil {
			t.Fatal(err)
		}
	}
	var batch []string
	for _, n := range rows[40:120] {
		if n.UserID == ids[1] {
			batch = append(batch, n.ID)
		}
	}
	if _, err := store.AcknowledgeMany(ctx, ids[1], batch); err != nil {
		t.Fatal(err)
	}
	check("after acknowledging")

	for _, n := range rows[100:130] {
		if err := store.DeleteNotification(ctx, n.UserID, n.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.DeleteRead(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	check("after deleting")

	if err := users.DeleteUser(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	check("after deleting a user")
	var left int
	if err := d.read.QueryRow(`SELECT COUNT(*) FROM notification_totals WHERE user_id = ?`, ids[2]).Scan(&left); err != nil || left != 0 {
		t.Fatalf("deleted user keeps %d totals rows (%v)", left, err)
	}

	// Rolled back to the foundation and up again, the migration counts the
	// rows that are already there.
	if err := d.MigrateDownTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	check("after migrating again")

	t.Run("Errors", func(t *testing.T) {
		if _, err := totals.CountNotifications(ctx, app.NotificationFilter{}); app.ErrorKind(err) != app.EINVALID {
			t.Fatalf("no user: %v", err)
		}
		if _, err := totals.CountNotifications(ctx, app.NotificationFilter{UserID: ids[0], Status: "done"}); app.ErrorKind(err) != app.EINVALID {
			t.Fatalf("bad status: %v", err)
		}
	})
	t.Run("FallsBackForOtherFilters", func(t *testing.T) {
		for _, f := range []app.NotificationFilter{{UserID: ids[0], UnreadOnly: true}, {UserID: ids[1], Type: "job_failed"}} {
			want, _ := store.CountNotifications(ctx, f)
			if got, err := totals.CountNotifications(ctx, f); err != nil || got != want {
				t.Fatalf("%+v = %d, %v; want %d", f, got, err, want)
			}
		}
	})
}
