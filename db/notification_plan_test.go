package db

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// queryPlan returns the EXPLAIN QUERY PLAN details of q, one per line.
func queryPlan(t *testing.T, d *DB, q string, args ...any) string {
	t.Helper()
	sqliteOnly(t)
	rows, err := d.read.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	var lines []string
	err = eachRow(rows, func() error {
		var id, parent, unused int
		var detail string
		err := rows.Scan(&id, &parent, &unused, &detail)
		lines = append(lines, detail)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// TestNotificationQueryPlans checks that the hot notification queries are
// answered from an index: no table scan, no sort, and a keyset cursor that
// seeks instead of filtering from the top.
func TestNotificationQueryPlans(t *testing.T) {
	d, _ := mustOpen(t)
	cursor := &app.Cursor{CreatedAt: time.Now(), ID: missingID}
	for _, tc := range []struct {
		name  string
		f     app.NotificationFilter
		index string
	}{
		{"Newest", app.NotificationFilter{}, "notifications_user_created (user_id=?)"},
		{"Oldest", app.NotificationFilter{Sort: app.SortOldest}, "notifications_user_created (user_id=?)"},
		{"NewestAfter", app.NotificationFilter{After: cursor}, "notifications_user_created (user_id=? AND (created_at,id)<(?,?))"},
		{"OldestAfter", app.NotificationFilter{Sort: app.SortOldest, After: cursor}, "notifications_user_created (user_id=? AND (created_at,id)>(?,?))"},
		{"Unread", app.NotificationFilter{UnreadOnly: true}, "notifications_user_unread (user_id=?)"},
		{"UnreadAfter", app.NotificationFilter{UnreadOnly: true, After: cursor}, "notifications_user_unread (user_id=? AND (created_at,id)<(?,?))"},
		{"PendingAfter", app.NotificationFilter{Status: app.StatusPending, After: cursor}, "notifications_user_"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			f.UserID, f.Limit = "u", 50
			q, args, err := listNotificationsQuery(f)
			if err != nil {
				t.Fatal(err)
			}
			plan := queryPlan(t, d, q, args...)
			wantIndexPlan(t, plan, tc.index)
			if f.After != nil && !strings.Contains(plan, "(created_at,id)") {
				t.Fatalf("the cursor is a filter, not an index range:\n%s", plan)
			}
			if strings.Contains(plan, "TEMP B-TREE") {
				t.Fatalf("plan sorts instead of walking the index:\n%s", plan)
			}
		})
	}
	t.Run("UnreadCount", func(t *testing.T) {
		wantIndexPlan(t, queryPlan(t, d, unreadCountSQL, "u"), "notifications_user_unread (user_id=?)")
	})
	t.Run("UnreadCountUpTo", func(t *testing.T) {
		wantIndexPlan(t, queryPlan(t, d, unreadCountUpToSQL, "u", 100), "notifications_user_unread (user_id=?)")
	})
	t.Run("PendingCount", func(t *testing.T) {
		where, args, err := notificationWhere(app.NotificationFilter{UserID: "u", Status: app.StatusPending})
		if err != nil {
			t.Fatal(err)
		}
		wantIndexPlan(t, queryPlan(t, d, "SELECT COUNT(*) FROM notifications WHERE "+where, args...), "notifications_user_")
	})
}

func wantIndexPlan(t *testing.T, plan, index string) {
	t.Helper()
	if !strings.Contains(plan, "USING INDEX "+index) && !strings.Contains(plan, "USING COVERING INDEX "+index) {
		t.Fatalf("plan does not use index %s:\n%s", index, plan)
	}
	for _, line := range strings.Split(plan, "\n") {
		if strings.HasPrefix(line, "SCAN notifications") && !strings.Contains(line, "INDEX") {
			t.Fatalf("plan scans the table:\n%s", plan)
		}
	}
}

// TestNotificationKeysetWalk pages through rows that share created_at with
// the After cursor and checks every row is seen exactly once, in order.
func TestNotificationKeysetWalk(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewNotificationStore(d)
	u := mustUser(t, d, "alice")
	other := mustUser(t, d, "bob")
	var batch []*app.Notification
	for i := range 23 {
		n := newNotification(d, u.ID, fmt.Sprint(i))
		// Groups of five share a timestamp, so pages split inside a group.
		n.CreatedAt = clock.Now().Add(time.Duration(i/5) * time.Second)
		batch = append(batch, n, newNotification(d, other.ID, "noise"))
	}
	if err := s.CreateNotifications(ctx, batch, nil); err != nil {
		t.Fatal(err)
	}
	for _, sort := range []string{app.SortNewest, app.SortOldest} {
		t.Run(sort, func(t *testing.T) {
			seen := map[string]bool{}
			var last *app.Notification
			f := app.NotificationFilter{UserID: u.ID, Sort: sort, Limit: 4}
			for page := 0; ; page++ {
				got, err := s.ListNotifications(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) == 0 {
					break
				}
				for _, n := range got {
					if seen[n.ID] {
						t.Fatalf("page %d repeats %s", page, n.Title)
					}
					seen[n.ID] = true
					if last != nil && !inOrder(last, n, sort) {
						t.Fatalf("page %d: %s after %s is out of order", page, n.Title, last.Title)
					}
					last = n
				}
				f.After = &app.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
			}
			if len(seen) != 23 {
				t.Fatalf("walk saw %d of 23 rows", len(seen))
			}
		})
	}
}

func inOrder(prev, next *app.Notification, sort string) bool {
	less := prev.CreatedAt.Before(next.CreatedAt) || prev.CreatedAt.Equal(next.CreatedAt) && prev.ID < next.ID
	if sort == app.SortOldest {
		return less
	}
	return !less
}
