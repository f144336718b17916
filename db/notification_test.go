package db

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock/clocktest"
)

// newNotification returns a complete unsaved notification for userID,
// created at d's clock, as the dispatcher builds them.
func newNotification(d *DB, userID, title string) *app.Notification {
	return &app.Notification{ID: newID(), UserID: userID, Type: "job_failed", Level: app.LevelError, Title: title,
		Body: "body of " + title, Data: json.RawMessage(`{"job":"` + title + `"}`), EmailSubject: "[Belfry] " + title,
		Status: app.StatusPending, CreatedAt: msTime(d.Now())}
}

// mustNotify stores one notification per title for userID, one clock
// millisecond apart, and returns them in creation order.
func mustNotify(t testing.TB, d *DB, clock *clocktest.Fake, userID string, titles ...string) []*app.Notification {
	t.Helper()
	var out []*app.Notification
	for _, title := range titles {
		n := newNotification(d, userID, title)
		if err := NewNotificationStore(d).CreateNotifications(context.Background(), []*app.Notification{n}, nil); err != nil {
			t.Fatalf("create notification %s: %v", title, err)
		}
		out = append(out, n)
		clock.Advance(time.Millisecond)
	}
	return out
}

func titles(ns []*app.Notification) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, n.Title)
	}
	return out
}

func TestNotificationStore_CreateNotifications(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		d, clock := mustOpen(t)
		s := NewNotificationStore(d)
		u := mustUser(t, d, "alice")
		full := newNotification(d, u.ID, "full")
		full.TargetURL, full.ServiceID, full.Project, full.Format = "https://example.org/x", "backup", "homelab", app.FormatText
		full.Object = &app.ObjectRef{AppLabel: "jobs", ModelName: "job", ObjectID: "42"}
		bare := newNotification(d, u.ID, "bare")
		bare.Data = json.RawMessage("{}")
		full.CreatedAt = clock.Now().Add(123456 * time.Nanosecond)
		if err := s.CreateNotifications(ctx, []*app.Notification{full, bare}, nil); err != nil {
			t.Fatal(err)
		}
		if !full.CreatedAt.Equal(clock.Now()) {
			t.Fatalf("created_at %v is not truncated to the millisecond", full.CreatedAt)
		}
		for _, want := range []*app.Notification{full, bare} {
			got, err := s.FindNotification(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("read back\n %+v\nwant\n %+v", got, want)
			}
		}
		var nulls int
		err := d.read.QueryRow(`SELECT COUNT(*) FROM notifications WHERE id = ? AND target_url IS NULL
			AND service_id IS NULL AND project IS NULL AND obj_app_label IS NULL`, bare.ID).Scan(&nulls)
		if err != nil || nulls != 1 {
			t.Fatalf("empty strings are not stored as NULL: %d, %v", nulls, err)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		d, _ := mustOpen(t)
		if err := NewNotificationStore(d).CreateNotifications(ctx, nil, nil); err != nil {
			t.Fatal(err)
		}
		if st := d.WriterStats(); st.Requests != 0 {
			t.Fatalf("an empty create wrote: %+v", st)
		}
	})
	t.Run("ErrIncomplete", func(t *testing.T) {
		d, _ := mustOpen(t)
		u := mustUser(t, d, "alice")
		for name, spoil := range map[string]func(n *app.Notification){
			"id": func(n *app.Notification) { n.ID = "" }, "status": func(n *app.Notification) { n.Status = "" },
			"data": func(n *app.Notification) { n.Data = nil }, "time": func(n *app.Notification) { n.CreatedAt = time.Time{} },
		} {
			n := newNotification(d, u.ID, name)
			spoil(n)
			if err := NewNotificationStore(d).CreateNotifications(ctx, []*app.Notification{n}, nil); err == nil {
				t.Errorf("a notification without %s was stored", name)
			}
		}
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		d, _ := mustOpen(t)
		err := NewNotificationStore(d).CreateNotifications(ctx, []*app.Notification{newNotification(d, "nobody", "x")}, nil)
		wantKind(t, err, app.ENOTFOUND)
	})
	t.Run("ErrDuplicateRollsBackAll", func(t *testing.T) {
		d, clock := mustOpen(t)
		s := NewNotificationStore(d)
		u := mustUser(t, d, "alice")
		first := mustNotify(t, d, clock, u.ID, "first")[0]
		fresh, dup := newNotification(d, u.ID, "fresh"), newNotification(d, u.ID, "dup")
		dup.ID = first.ID
		wantKind(t, s.CreateNotifications(ctx, []*app.Notification{fresh, dup}, nil), app.ECONFLICT)
		_, err := s.FindNotification(ctx, fresh.ID)
		wantKind(t, err, app.ENOTFOUND, app.CodeNotificationNotFound)
	})
}

func TestNotificationStore_FindNotification(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewNotificationStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	n := mustNotify(t, d, clock, alice.ID, "a")[0]
	t.Run("AnyUsersRow", func(t *testing.T) {
		got, err := s.FindNotification(ctx, n.ID)
		if err != nil || got.UserID != alice.ID || got.UserID == bob.ID {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		got, err := s.FindNotification(ctx, "0190f6c3-0000-7000-8000-000000000000")
		wantKind(t, err, app.ENOTFOUND, app.CodeNotificationNotFound)
		if got != nil || app.ErrorMessage(err) != "Notification not found." {
			t.Fatalf("got %v, message %q", got, app.ErrorMessage(err))
		}
	})
}

func TestNotificationStore_ListNotifications(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewNotificationStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	ns := mustNotify(t, d, clock, alice.ID, "a1", "a2", "a3", "a4")
	mustNotify(t, d, clock, bob.ID, "b1")
	if _, err := s.MarkRead(ctx, alice.ID, ns[1].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Acknowledge(ctx, alice.ID, ns[2].ID); err != nil {
		t.Fatal(err)
	}
	tagged := newNotification(d, alice.ID, "tagged")
	tagged.Type, tagged.ServiceID, tagged.Project = "quota_warning", "nas", "home"
	if err := s.CreateNotifications(ctx, []*app.Notification{tagged}, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    app.NotificationFilter
		want []string
	}{
		{"Newest", app.NotificationFilter{}, []string{"tagged", "a4", "a3", "a2", "a1"}},
		{"Oldest", app.NotificationFilter{Sort: app.SortOldest}, []string{"a1", "a2", "a3", "a4", "tagged"}},
		{"Limit", app.NotificationFilter{Limit: 2}, []string{"tagged", "a4"}},
		{"Offset", app.NotificationFilter{Limit: 2, Offset: 2}, []string{"a3", "a2"}},
		{"UnreadOnly", app.NotificationFilter{UnreadOnly: true}, []string{"tagged", "a4", "a1"}},
		{"Pending", app.NotificationFilter{Status: app.StatusPending}, []string{"tagged", "a4", "a2", "a1"}},
		{"Acknowledged", app.NotificationFilter{Status: app.StatusAcknowledged}, []string{"a3"}},
		{"Type", app.NotificationFilter{Type: "quota_warning"}, []string{"tagged"}},
		{"ServiceID", app.NotificationFilter{ServiceID: "nas"}, []string{"tagged"}},
		{"Project", app.NotificationFilter{Project: "home"}, []string{"tagged"}},
		{"After", app.NotificationFilter{After: &app.Cursor{CreatedAt: ns[2].CreatedAt, ID: ns[2].ID}}, []string{"a2", "a1"}},
		{"AfterOldest", app.NotificationFilter{Sort: app.SortOldest, After: &app.Cursor{CreatedAt: ns[2].CreatedAt, ID: ns[2].ID}}, []string{"a4", "tagged"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			f.UserID = alice.ID
			got, err := s.ListNotifications(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(titles(got), tc.want) {
				t.Fatalf("got %v, want %v", titles(got), tc.want)
			}
			f.Limit, f.Offset, f.After = 0, 0, nil
			if n, err := s.CountNotifications(ctx, f); err != nil || tc.f.Limit == 0 && tc.f.After == nil && n != len(tc.want) {
				t.Fatalf("count = %d, %v; want %d", n, err, len(tc.want))
			}
		})
	}
	t.Run("DefaultLimit", func(t *testing.T) {
		d, clock := mustOpen(t)
		u := mustUser(t, d, "carol")
		many := make([]string, 25)
		for i := range many {
			many[i] = fmt.Sprint(i)
		}
		mustNotify(t, d, clock, u.ID, many...)
		got, err := NewNotificationStore(d).ListNotifications(ctx, app.NotificationFilter{UserID: u.ID})
		if err != nil || len(got) != 20 {
			t.Fatalf("got %d rows, %v; want 20", len(got), err)
		}
	})
	t.Run("EmptyIsNotNil", func(t *testing.T) {
		got, err := s.ListNotifications(ctx, app.NotificationFilter{UserID: "nobody"})
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("got %#v, %v", got, err)
		}
	})
	for name, f := range map[string]app.NotificationFilter{
		"ErrNoUser":         {},
		"ErrSort":           {UserID: alice.ID, Sort: "random"},
		"ErrStatus":         {UserID: alice.ID, Status: "done' OR 1=1 --"},
		"ErrNegativeLimit":  {UserID: alice.ID, Limit: -1},
		"ErrNegativeOffset": {UserID: alice.ID, Offset: -5},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.ListNotifications(ctx, f)
			wantKind(t, err, app.EINVALID)
		})
	}
	t.Run("ErrCountStatus", func(t *testing.T) {
		_, err := s.CountNotifications(ctx, app.NotificationFilter{UserID: alice.ID, Status: "x"})
		wantKind(t, err, app.EINVALID)
	})
}

func TestNotificationStore_UnreadCount(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewNotificationStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	ns := mustNotify(t, d, clock, alice.ID, "a1", "a2", "a3")
	mustNotify(t, d, clock, bob.ID, "b1")
	if _, err := s.MarkRead(ctx, alice.ID, ns[0].ID); err != nil {
		t.Fatal(err)
	}
	for user, want := range map[string]int{alice.ID: 2, bob.ID: 1, "nobody": 0} {
		if n, err := s.UnreadCount(ctx, user); err != nil || n != want {
			t.Fatalf("unread of %s = %d, %v; want %d", user, n, err, want)
		}
	}
	// Capped: the count up to a limit.
	for limit, want := range map[int]int{1: 1, 2: 2, 3: 2, 100: 2} {
		if n, err := s.UnreadCountUpTo(ctx, alice.ID, limit); err != nil || n != want {
			t.Fatalf("unread of alice up to %d = %d, %v; want %d", limit, n, err, want)
		}
	}
}
