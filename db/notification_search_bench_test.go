package db

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// inboxRows is the size of the inbox the search benchmarks and tests use.
const inboxRows = 10_000

// seedInbox stores n notifications of userID in one transaction, one minute
// apart from start: notification i has level error when i%10 == 0, warning
// when i%10 is 1 or 2, info otherwise; type types[i%4]; service svc-<i%7>;
// project proj-<i%5>; every third is read; its body says "ticket-<i, five
// digits>." so a search for one ticket finds exactly one row. It returns
// them oldest first.
func seedInbox(t testing.TB, d *DB, userID string, n int, start time.Time) []*app.Notification {
	t.Helper()
	types := []string{"job_failed", "job_completed", "weekly_report", "quota_warning"}
	ns := make([]*app.Notification, n)
	for i := range ns {
		level := app.LevelInfo
		switch i % 10 {
		case 0:
			level = app.LevelError
		case 1, 2:
			level = app.LevelWarning
		}
		at := start.Add(time.Duration(i) * time.Minute)
		x := &app.Notification{ID: newID(), UserID: userID, Type: types[i%4], Level: level,
			Title: fmt.Sprintf("Backup job %d finished", i), Body: fmt.Sprintf("Report for ticket-%05d. Nothing else to say.", i),
			Data: json.RawMessage(`{}`), ServiceID: fmt.Sprintf("svc-%d", i%7), Project: fmt.Sprintf("proj-%d", i%5),
			Status: app.StatusPending, CreatedAt: at}
		if i%3 == 0 {
			x.ReadAt = &at
		}
		ns[i] = x
	}
	if err := NewNotificationStore(d).CreateNotifications(context.Background(), ns, nil); err != nil {
		t.Fatalf("seed inbox: %v", err)
	}
	return ns
}

// BenchmarkInboxPage reads one page of 50 of a 10,000-row inbox (among
// three such users), at the top and 9,000 rows deep through a keyset
// cursor, with each filter of the inbox and with searches: one that
// matches every row, one that matches a single row, and one that matches
// none (the worst case: every row of the user is read).
func BenchmarkInboxPage(b *testing.B) {
	d := openAt(b, filepath.Join(b.TempDir(), "bench.db"), "normal")
	defer d.Close()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ns []*app.Notification
	for _, name := range []string{"ann", "bob", "cid"} {
		u := mustUser(b, d, name)
		ns = seedInbox(b, d, u.ID, inboxRows, start)
	}
	uid := ns[0].UserID
	s := NewNotificationStore(d)
	ctx := context.Background()
	deep := app.CursorAfter(ns[inboxRows-9000])
	for _, tc := range []struct {
		name string
		f    app.NotificationFilter
	}{
		{"All", app.NotificationFilter{}},
		{"Unread", app.NotificationFilter{UnreadOnly: true}},
		{"Read", app.NotificationFilter{ReadOnly: true}},
		{"LevelError", app.NotificationFilter{Level: app.LevelError}},
		{"Type", app.NotificationFilter{Type: "weekly_report"}},
		{"Service", app.NotificationFilter{ServiceID: "svc-3"}},
		{"Project", app.NotificationFilter{Project: "proj-2"}},
		{"LevelServiceProject", app.NotificationFilter{Level: app.LevelError, ServiceID: "svc-3", Project: "proj-0"}},
		{"SearchEveryRow", app.NotificationFilter{Search: "backup JOB"}},
		{"SearchOneRow", app.NotificationFilter{Search: "ticket-04321."}},
		{"SearchNoRow", app.NotificationFilter{Search: "no such words"}},
		{"Before", app.NotificationFilter{CreatedBefore: start.Add(2000 * time.Minute)}},
	} {
		for _, depth := range []struct {
			name  string
			after *app.Cursor
		}{{"Depth0", nil}, {"Depth9000", &deep}} {
			b.Run(tc.name+"/"+depth.name, func(b *testing.B) {
				f := tc.f
				f.UserID, f.Limit, f.After = uid, 50, depth.after
				rows := 0
				for b.Loop() {
					got, err := s.ListNotifications(ctx, f)
					if err != nil {
						b.Fatal(err)
					}
					rows = len(got)
				}
				b.ReportMetric(float64(rows), "rows")
			})
		}
	}
	// What the cursor replaces: page numbers, 9,000 rows skipped one by one.
	b.Run("All/Offset9000", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.ListNotifications(ctx, app.NotificationFilter{UserID: uid, Limit: 50, Offset: 9000}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkInboxSearchFTS5 is the alternative BenchmarkInboxPage's searches
// were weighed against: an FTS5 index of title and body (built here for the
// benchmark only; Belfry has none), asked for the same page of 50, newest
// first, of one user. FTS5 finds the rare word's rows at once, but a word
// every row has costs it the whole posting list plus a sort, and each
// stored notification would cost an index write in the commit.
func BenchmarkInboxSearchFTS5(b *testing.B) {
	d := openAt(b, filepath.Join(b.TempDir(), "bench.db"), "normal")
	defer d.Close()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var uid string
	for _, name := range []string{"ann", "bob", "cid"} {
		uid = seedInbox(b, d, mustUser(b, d, name).ID, inboxRows, start)[0].UserID
	}
	for _, q := range []string{
		`CREATE VIRTUAL TABLE notifications_fts USING fts5(title, body, content='notifications', content_rowid='rowid')`,
		`INSERT INTO notifications_fts(notifications_fts) VALUES ('rebuild')`,
	} {
		if _, err := d.write.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	const page = `SELECT id FROM notifications WHERE user_id = ? AND rowid IN
		(SELECT rowid FROM notifications_fts WHERE notifications_fts MATCH ?) ORDER BY created_at DESC, id DESC LIMIT 50`
	for _, tc := range []struct{ name, match string }{
		{"SearchEveryRow", `"backup job"`}, {"SearchOneRow", `"ticket 04321"`}, {"SearchNoRow", `"no such words"`},
	} {
		b.Run(tc.name, func(b *testing.B) {
			rows := 0
			for b.Loop() {
				rs, err := d.read.Query(page, uid, tc.match)
				if err != nil {
					b.Fatal(err)
				}
				rows = 0
				for rs.Next() {
					rows++
				}
				if err := rs.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows), "rows")
		})
	}
}
