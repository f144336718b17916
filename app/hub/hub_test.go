package hub

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/google/uuid"
)

func TestCreateFrameWithToast(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	c := s.dial(alice, cookieAuth(s.cookie(alice)), origin(s.base))

	id := s.notify(alice, app.Event{
		Type: "job_failed", Title: "Backup failed", Level: app.LevelError,
		Body:      "**disk** full <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
		TargetURL: "https://nas.local/jobs/7",
	})
	f := c.next()
	wantPush(t, f, 1, true, true)
	n := f.Notification
	stored, err := s.notes.FindNotification(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if n.ID != id || n.Message != "Backup failed" || !n.Unread || n.Level != app.LevelError ||
		n.EmailSubject != stored.EmailSubject || n.EmailSubject == "" {
		t.Fatalf("toast %+v does not match %+v", n, stored)
	}
	if n.TargetURL == nil || *n.TargetURL != "https://nas.local/jobs/7" {
		t.Fatalf("target_url %v", n.TargetURL)
	}
	ts, err := time.Parse(time.RFC3339, n.Timestamp)
	if err != nil || !ts.Equal(stored.CreatedAt) || !strings.HasSuffix(n.Timestamp, "Z") {
		t.Fatalf("timestamp %q (%v), want %v in UTC", n.Timestamp, err, stored.CreatedAt)
	}
	if !strings.Contains(n.Description, "<strong>disk</strong>") {
		t.Fatalf("description %q is not rendered Markdown", n.Description)
	}
	for _, bad := range []string{"<script", "javascript:", "onerror"} {
		if strings.Contains(n.Description, bad) {
			t.Fatalf("description %q contains %q", n.Description, bad)
		}
	}
	var members map[string]any
	mustUnmarshal(t, f.keys["notification"], &members)
	if len(members) != 8 {
		t.Fatalf("notification members %v, want the spec's eight", members)
	}

	// Without a target URL the member is present and null.
	s.notify(alice, jobFailed("no link"))
	f = c.next()
	wantPush(t, f, 2, true, true)
	mustUnmarshal(t, f.keys["notification"], &members)
	if v, ok := members["target_url"]; !ok || v != nil {
		t.Fatalf("target_url %v (present %v), want null", v, ok)
	}
}

func TestCreateFrameWithoutToast(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	c := s.dial(alice, bearerAuth(s.token(alice, app.ScopeClient)))

	// weekly_report's toast preference is off by default.
	s.notify(alice, app.Event{Type: "weekly_report", Title: "Week 9"})
	wantPush(t, c.next(), 1, true, false)

	// A user who turned job_failed's toast off gets the reload, no toast.
	if err := s.prefs.UpdatePreferences(context.Background(), alice.ID, app.Preferences{"job_failed_toast": false}); err != nil {
		t.Fatal(err)
	}
	s.notify(alice, jobFailed("quiet"))
	wantPush(t, c.next(), 2, true, false)
}

func TestChangeFrames(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	c := s.dial(alice, bearerAuth(s.token(alice, app.ScopeClient)))
	ctx := context.Background()
	var ids []string
	for i := range 4 {
		ids = append(ids, s.notify(alice, jobFailed("n"+string(rune('0'+i)))))
		c.next()
	}

	if _, err := s.notes.MarkRead(ctx, alice.ID, ids[0]); err != nil {
		t.Fatal(err)
	}
	s.publish(alice, app.ChangeRead)
	wantPush(t, c.next(), 3, false, false)

	if _, err := s.notes.Acknowledge(ctx, alice.ID, ids[1]); err != nil {
		t.Fatal(err)
	}
	s.publish(alice, app.ChangeAcknowledged)
	wantPush(t, c.next(), 2, false, false)

	if err := s.notes.DeleteNotification(ctx, alice.ID, ids[2]); err != nil {
		t.Fatal(err)
	}
	s.publish(alice, app.ChangeDeleted)
	wantPush(t, c.next(), 1, true, false)

	if _, err := s.notes.MarkAllRead(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	s.publish(alice, app.ChangeReadAll)
	wantPush(t, c.next(), 0, true, false)

	if _, err := s.notes.DeleteRead(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	s.publish(alice, app.ChangeDeletedRead)
	wantPush(t, c.next(), 0, true, false)
}

func TestCountAbove99(t *testing.T) {
	s := newServer(t)
	alice := s.user("alice")
	c := s.dial(alice, bearerAuth(s.token(alice, app.ScopeClient)))
	var rows []*app.Notification
	for range 99 {
		rows = append(rows, apptest.Notification(alice.ID, "bulk"))
	}
	if err := s.notes.CreateNotifications(context.Background(), rows, nil); err != nil {
		t.Fatal(err)
	}
	s.publish(alice, app.ChangeDeleted)
	wantPush(t, c.next(), 99, true, false)
	s.notify(alice, app.Event{Type: "weekly_report", Title: "one more"})
	wantPush(t, c.next(), "99+", true, false)
}

func TestEveryTabOfTheUserAndNobodyElse(t *testing.T) {
	s := newServer(t)
	alice, bob := s.user("alice"), s.user("bob")
	tab1 := s.dial(alice, cookieAuth(s.cookie(alice)), origin(s.base))
	tab2 := s.dial(alice, bearerAuth(s.token(alice, app.ScopeClient)))
	bobs := s.dial(bob, bearerAuth(s.token(bob, app.ScopeClient)))

	id := s.notify(alice, jobFailed("for alice"))
	for _, c := range []*client{tab1, tab2} {
		f := c.next()
		wantPush(t, f, 1, true, true)
		if f.Notification.ID != id {
			t.Fatalf("tab got %s, want %s", f.Notification.ID, id)
		}
	}
	// Bob's first frame is about his own notification: alice's never came.
	bobID := s.notify(bob, jobFailed("for bob"))
	if f := bobs.next(); f.Notification == nil || f.Notification.ID != bobID {
		t.Fatalf("bob got %+v, want his own notification %s", f, bobID)
	}
}

func TestClientMarksRead(t *testing.T) {
	s := newServer(t)
	alice, bob := s.user("alice"), s.user("bob")
	c := s.dial(alice, bearerAuth(s.token(alice, app.ScopeClient)))
	first := s.notify(alice, jobFailed("one"))
	second := s.notify(alice, jobFailed("two"))
	c.next()
	c.next()
	bobsID := s.notify(bob, jobFailed("bob's"))

	c.send(`{"type":"notification","notification_id":"` + first + `"}`)
	wantPush(t, c.next(), 1, false, false)
	if n, _ := s.notes.FindNotification(context.Background(), first); !n.IsRead() {
		t.Fatal("notification not marked read")
	}

	// Frames the hub cannot use are ignored and the socket stays open.
	for _, msg := range []string{
		`{"type":"notification","notification_id":"` + bobsID + `"}`, // foreign
		`{"type":"notification","notification_id":"` + uuidString() + `"}`,
		`{"type":"notification","notification_id":"` + first + `"}`, // already read: no change
		`{"type":"notification","notification_id":"not-a-uuid"}`,
		`{"type":"notification","notification_id":42}`,
		`{"type":"notification"}`,
		`{"type":"subscribe","channel":"global"}`,
		`{"notification_id":"` + second + `"}`,
		`not json`,
		`[1,2,3]`,
		``,
	} {
		c.send(msg)
	}
	c.send(`{"type":"notification","notification_id":"` + second + `"}`)
	wantPush(t, c.next(), 0, false, false)
	if n, _ := s.notes.FindNotification(context.Background(), bobsID); n.IsRead() {
		t.Fatal("alice marked bob's notification read")
	}
}

func TestClientFrameRate(t *testing.T) {
	var s socket
	now := time.Now()
	for i := range inboundBurst {
		if !s.allow(now) {
			t.Fatalf("frame %d of a burst was refused", i+1)
		}
	}
	if s.allow(now) {
		t.Fatal("a frame beyond the burst was allowed")
	}
	now = now.Add(time.Second)
	for i := range inboundRate {
		if !s.allow(now) {
			t.Fatalf("frame %d a second later was refused", i+1)
		}
	}
	if s.allow(now) {
		t.Fatal("more than the rate was allowed")
	}
}

func TestObjectNotificationQuery(t *testing.T) {
	s := newServer(t)
	alice, bob := s.user("alice"), s.user("bob")
	c := s.dial(alice, bearerAuth(s.token(alice, app.ScopeClient)))
	ctx := context.Background()
	obj := func(id string) app.ObjectRef {
		return app.ObjectRef{AppLabel: "config", ModelName: "device", ObjectID: id}
	}
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Millisecond)
	past := time.Now().Add(-time.Hour)
	for _, m := range []*app.Mute{
		{UserID: alice.ID, Object: obj("forever")},
		{UserID: alice.ID, Object: obj("hour"), ValidTill: &until},
		{UserID: alice.ID, Object: obj("expired"), ValidTill: &past},
		{UserID: bob.ID, Object: obj("bobs")},
	} {
		if err := s.mutes.CreateMute(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	query := func(id string) string {
		return `{"type":"object_notification","app_label":"config","model_name":"device","object_id":"` + id + `"}`
	}
	// No answer for an expired mute, another user's mute, no mute, an
	// incomplete query.
	c.send(query("expired"))
	c.send(query("bobs"))
	c.send(query("unknown"))
	c.send(`{"type":"object_notification","app_label":"config","object_id":"forever"}`)
	c.send(query("hour"))
	f := c.next()
	if f.Type != "object_notification" || f.ValidTill == nil || len(f.keys) != 2 {
		t.Fatalf("answer %v, want object_notification with valid_till", f.keys)
	}
	if got, err := time.Parse(time.RFC3339, *f.ValidTill); err != nil || !got.Equal(until) {
		t.Fatalf("valid_till %q, want %v", *f.ValidTill, until)
	}
	c.send(query("forever"))
	f = c.next()
	if v, ok := f.keys["valid_till"]; f.Type != "object_notification" || !ok || string(v) != "null" {
		t.Fatalf("answer %v, want valid_till null", f.keys)
	}
}

func uuidString() string {
	id, _ := uuid.NewV7()
	return id.String()
}
