package db

import (
	"context"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// TestListNotifications_InboxFilters checks each filter of the inbox on a
// seeded inbox against what the seed says each row is.
func TestListNotifications_InboxFilters(t *testing.T) {
	d, _ := mustOpen(t)
	ann, bob := mustUser(t, d, "ann"), mustUser(t, d, "bob")
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ns := seedInbox(t, d, ann.ID, 300, start)
	seedInbox(t, d, bob.ID, 50, start)
	s := NewNotificationStore(d)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		f    app.NotificationFilter
		keep func(i int, n *app.Notification) bool
	}{
		{"Read", app.NotificationFilter{ReadOnly: true}, func(i int, _ *app.Notification) bool { return i%3 == 0 }},
		{"Unread", app.NotificationFilter{UnreadOnly: true}, func(i int, _ *app.Notification) bool { return i%3 != 0 }},
		{"Level", app.NotificationFilter{Level: app.LevelWarning}, func(i int, _ *app.Notification) bool { return i%10 == 1 || i%10 == 2 }},
		{"Type", app.NotificationFilter{Type: "weekly_report"}, func(i int, _ *app.Notification) bool { return i%4 == 2 }},
		{"Service", app.NotificationFilter{ServiceID: "svc-3"}, func(i int, _ *app.Notification) bool { return i%7 == 3 }},
		{"Project", app.NotificationFilter{Project: "proj-4"}, func(i int, _ *app.Notification) bool { return i%5 == 4 }},
		{"SearchBodyAnyCase", app.NotificationFilter{Search: "TICKET-00123."}, func(i int, _ *app.Notification) bool { return i == 123 }},
		{"SearchTitle", app.NotificationFilter{Search: "job 27 fin"}, func(i int, _ *app.Notification) bool { return i == 27 }},
		{"SearchWildcardsAreText", app.NotificationFilter{Search: "ticket_00%"}, func(int, *app.Notification) bool { return false }},
		{"Before", app.NotificationFilter{CreatedBefore: start.Add(100 * time.Minute)}, func(i int, _ *app.Notification) bool { return i < 100 }},
		{"Combined", app.NotificationFilter{Level: app.LevelError, UnreadOnly: true, ServiceID: "svc-1", Search: "backup"},
			func(i int, _ *app.Notification) bool { return i%10 == 0 && i%3 != 0 && i%7 == 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for i := len(ns) - 1; i >= 0; i-- {
				if tc.keep(i, ns[i]) {
					want = append(want, ns[i].Title)
				}
			}
			// Walk every page of 7 by keyset to see paging and filter agree.
			var got []string
			f := tc.f
			f.UserID, f.Limit = ann.ID, 7
			for {
				page, err := s.ListNotifications(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, titles(page)...)
				if len(page) < f.Limit {
					break
				}
				c := app.CursorAfter(page[len(page)-1])
				f.After = &c
			}
			if len(got) != len(want) || (len(want) > 0 && (got[0] != want[0] || got[len(got)-1] != want[len(want)-1])) {
				t.Fatalf("got %d rows (%v…), want %d (%v…)", len(got), head(got), len(want), head(want))
			}
			n, err := s.CountNotifications(ctx, app.NotificationFilter{UserID: ann.ID, ReadOnly: tc.f.ReadOnly, UnreadOnly: tc.f.UnreadOnly,
				Level: tc.f.Level, Type: tc.f.Type, ServiceID: tc.f.ServiceID, Project: tc.f.Project, Search: tc.f.Search, CreatedBefore: tc.f.CreatedBefore})
			if err != nil || n != len(want) {
				t.Fatalf("count = %d, %v; want %d", n, err, len(want))
			}
		})
	}
}

func head(s []string) []string { return s[:min(len(s), 3)] }

func TestListNotifications_InboxFilterErrors(t *testing.T) {
	d, _ := mustOpen(t)
	s := NewNotificationStore(d)
	long := make([]byte, app.MaxSearchLen+1)
	for i := range long {
		long[i] = 'a'
	}
	for name, f := range map[string]app.NotificationFilter{
		"ReadAndUnread": {ReadOnly: true, UnreadOnly: true},
		"BadLevel":      {Level: "fatal"},
		"LongSearch":    {Search: string(long)},
	} {
		t.Run(name, func(t *testing.T) {
			f.UserID = "u"
			_, err := s.ListNotifications(context.Background(), f)
			wantKind(t, err, app.EINVALID)
		})
	}
}
