package db

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// TestPollingQueryPlans checks that every filter of the polling API pages by
// a range of an index in keyset order (no sort step, no table scan) and
// counts from a covering index, with the indexes of migration 00002.
func TestPollingQueryPlans(t *testing.T) {
	ctx := context.Background()
	d, err := Open(testOptions(filepath.Join(t.TempDir(), "p.db"), "normal"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	after := &app.Cursor{CreatedAt: time.UnixMilli(1774857600000), ID: "0190a5c4-7e2b-7c3d-9f10-2a4b6c8d0e1f"}
	cases := []struct {
		name  string
		f     app.NotificationFilter
		index string
	}{
		{"All", app.NotificationFilter{}, "notifications_user_created"},
		{"Status", app.NotificationFilter{Status: app.StatusPending}, "notifications_user_status_created"},
		{"Acknowledged", app.NotificationFilter{Status: app.StatusAcknowledged}, "notifications_user_status_created"},
		{"Service", app.NotificationFilter{ServiceID: "backup"}, "notifications_user_service_created"},
		{"Project", app.NotificationFilter{Project: "home"}, "notifications_user_project_created"},
	}
	for _, tc := range cases {
		tc.f.UserID = "u"
		t.Run(tc.name, func(t *testing.T) {
			for _, sort := range []string{app.SortNewest, app.SortOldest} {
				f := tc.f
				f.Sort, f.After, f.Limit = sort, after, 51
				q, args, err := listNotificationsQuery(f)
				if err != nil {
					t.Fatal(err)
				}
				plan := pollPlan(t, d, q, args)
				if !strings.Contains(plan, "USING INDEX "+tc.index) || strings.Contains(plan, "TEMP B-TREE") {
					t.Errorf("%s page plan: %s", sort, plan)
				}
			}
			where, args, err := notificationWhere(tc.f)
			if err != nil {
				t.Fatal(err)
			}
			// Without a filter any index led by user_id covers the count.
			want := tc.index
			if tc.name == "All" {
				want = "notifications_user_"
			}
			plan := pollPlan(t, d, "SELECT COUNT(*) FROM notifications WHERE "+where, args)
			if !strings.Contains(plan, "USING COVERING INDEX "+want) {
				t.Errorf("count plan: %s", plan)
			}
		})
	}
}

// pollPlan returns the EXPLAIN QUERY PLAN steps of q on one line.
func pollPlan(t *testing.T, d *DB, q string, args []any) string {
	t.Helper()
	sqliteOnly(t)
	rows, err := d.read.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	return strings.Join(steps, "; ")
}
