package db

import (
	"context"
	"slices"
	"testing"

	"github.com/belfry/belfry/app"
)

// mustNotifyTopic creates userID's notification titled title on topic.
func mustNotifyTopic(t *testing.T, d *DB, userID, topic, title string) *app.Notification {
	t.Helper()
	n := newNotification(d, userID, title)
	n.ServiceID = topic
	if err := NewNotificationStore(d).CreateNotifications(context.Background(), []*app.Notification{n}, nil); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNumberStore_Topics: topics are numbered when first used by a
// notification, a token's name or a route, once; a user's topics are
// theirs only; pages go by number, per topic.
func TestNumberStore_Topics(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewNumberStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	na, _ := s.UserNumber(ctx, alice.ID)
	nb, _ := s.UserNumber(ctx, bob.ID)
	if na < 1 || nb != na+1 {
		t.Fatalf("user numbers %d, %d", na, nb)
	}
	backups1 := mustNotifyTopic(t, d, alice.ID, "backups", "one")
	native := mustNotifyTopic(t, d, alice.ID, "", "native")
	backups2 := mustNotifyTopic(t, d, alice.ID, "backups", "two")
	mustNotifyTopic(t, d, bob.ID, "bobs", "secret")
	if err := NewTokenStore(d).CreateToken(ctx, &app.Token{UserID: alice.ID, Name: "proxmox", Scope: app.ScopePublish, Hash: "p"}); err != nil {
		t.Fatal(err)
	}
	if err := NewRouteStore(d).PutRoute(ctx, &app.Route{Topic: "household", Users: []string{"alice"}}); err != nil {
		t.Fatal(err)
	}
	topics, err := s.UserTopics(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tp := range topics {
		names = append(names, tp.Name)
	}
	if want := []string{"", "backups", "proxmox", "household"}; !slices.Equal(names, want) {
		t.Fatalf("alice's topics %q, want %q", names, want)
	}
	backups, _ := s.TopicNumber(ctx, "backups")
	if tp, err := s.TopicOfNumber(ctx, backups); err != nil || tp.Name != "backups" {
		t.Fatalf("topic of %d: %+v, %v", backups, tp, err)
	}
	_, err = s.TopicOfNumber(ctx, 999)
	wantKind(t, err, app.ENOTFOUND)

	all, err := s.ListNumbered(ctx, app.NumberedFilter{UserID: alice.ID, Limit: 10})
	if err != nil || len(all) != 3 || all[0].ID != backups2.ID || all[2].ID != backups1.ID || all[1].ID != native.ID {
		t.Fatalf("alice's page: %v, %v", all, err)
	}
	if all[0].TopicNumber != backups || all[0].Number <= all[1].Number {
		t.Fatalf("numbers: %+v", all[0])
	}
	older, _ := s.ListNumbered(ctx, app.NumberedFilter{UserID: alice.ID, Before: all[1].Number, Limit: 10})
	if len(older) != 1 || older[0].ID != backups1.ID {
		t.Fatalf("before %d: %v", all[1].Number, older)
	}
	none := ""
	untopical, _ := s.ListNumbered(ctx, app.NumberedFilter{UserID: alice.ID, Topic: &none, Limit: 10})
	if len(untopical) != 1 || untopical[0].ID != native.ID {
		t.Fatalf("without a topic: %v", untopical)
	}
	if id, err := s.NotificationOfNumber(ctx, all[0].Number); err != nil || id != backups2.ID {
		t.Fatalf("notification of %d: %q, %v", all[0].Number, id, err)
	}

	topic := "backups"
	ids, err := NewNotificationStore(d).DeleteNotifications(ctx, alice.ID, &topic)
	if err != nil || !slices.Equal(sorted(ids), sorted([]string{backups1.ID, backups2.ID})) {
		t.Fatalf("deleted %v, %v", ids, err)
	}
	ids, _ = NewNotificationStore(d).DeleteNotifications(ctx, alice.ID, nil)
	if !slices.Equal(ids, []string{native.ID}) {
		t.Fatalf("deleted the rest: %v", ids)
	}
	if left, _ := s.ListNumbered(ctx, app.NumberedFilter{UserID: bob.ID, Limit: 10}); len(left) != 1 {
		t.Fatalf("bob's notifications after alice deleted hers: %v", left)
	}
	// The topic keeps its number once its notifications are gone.
	mustNotifyTopic(t, d, alice.ID, "backups", "three")
	if again, _ := s.TopicNumber(ctx, "backups"); again != backups {
		t.Fatalf("topic number changed: %d, was %d", again, backups)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestMigrate_OutOfOrder: a database that has a later migration applies an
// earlier-numbered one that arrives after it; 00010 numbers the users and
// topics already there and pages the notifications already there.
func TestMigrate_OutOfOrder(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	d, clock := mustOpen(t)
	if err := d.MigrateDownTo(ctx, 9); err != nil {
		t.Fatal(err)
	}
	p, conn, err := d.provider()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// 00011 and 00013 (the users' columns the store writes) come first.
	for _, v := range []int64{11, 13} {
		if _, err := p.ApplyVersion(ctx, v, true); err != nil {
			t.Fatal(err)
		}
	}
	alice := mustUser(t, d, "alice")
	old := mustNotify(t, d, clock, alice.ID, "before 00010")
	if n, err := d.Migrate(ctx); err != nil || n < 1 {
		t.Fatalf("migrate after 11: ran %d, %v", n, err)
	}
	s := NewNumberStore(d)
	if n, err := s.UserNumber(ctx, alice.ID); err != nil || n < 1 {
		t.Fatalf("alice's number %d, %v", n, err)
	}
	page, err := s.ListNumbered(ctx, app.NumberedFilter{UserID: alice.ID, Limit: 10})
	if err != nil || len(page) != 1 || page[0].ID != old[0].ID || page[0].TopicNumber < 1 {
		t.Fatalf("page after 00010: %v, %v", page, err)
	}
	if later := mustNotify(t, d, clock, alice.ID, "after 00010"); later[0].ID == "" {
		t.Fatal("no notification")
	}
	if page, _ := s.ListNumbered(ctx, app.NumberedFilter{UserID: alice.ID, Limit: 10}); len(page) != 2 || page[1].ID != old[0].ID {
		t.Fatalf("page with a new notification: %v", page)
	}
}
