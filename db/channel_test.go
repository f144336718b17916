package db

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// mustChannel creates a channel owned by owner.
func mustChannel(t testing.TB, s *ChannelStore, owner *app.User, name string) *app.Channel {
	t.Helper()
	ch := &app.Channel{Name: name, CreatedBy: owner.ID}
	if err := s.CreateChannel(context.Background(), ch); err != nil {
		t.Fatalf("create channel %s: %v", name, err)
	}
	return ch
}

// event is a stand-in event for store tests: the store treats data as
// opaque JSON.
func event(typ string, data map[string]any) *app.ChannelEvent {
	b, _ := json.Marshal(data)
	return &app.ChannelEvent{Type: typ, Data: b}
}

// storedEvents returns the channel's stored events after seq.
func storedEvents(t testing.TB, s *ChannelStore, channelID string, after int64) []*app.ChannelEvent {
	t.Helper()
	evs, err := s.ListChannelEvents(context.Background(), channelID, after, 10000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// refuse is a check that refuses everything.
func refuse(*app.Member, *app.Member) error { return app.Errorf(app.EFORBIDDEN, "No.") }

func TestChannelStore_CreateChannel(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewChannelStore(d)
	alice := mustUser(t, d, "alice")
	t.Run("OK", func(t *testing.T) {
		ch := &app.Channel{Name: "Été", Description: "summer", CreatedBy: alice.ID}
		if err := s.CreateChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindChannel(ctx, ch.ID)
		if err != nil || got.Name != "Été" || got.Description != "summer" || got.CreatedBy != alice.ID ||
			got.MemberCount != 1 || got.LastSeq != 0 || !got.CreatedAt.Equal(clock.Now()) {
			t.Fatalf("got %+v, %v", got, err)
		}
		m, err := s.FindMember(ctx, ch.ID, alice.ID)
		if err != nil || m.Role != app.RoleOwner || m.Username != "alice" {
			t.Fatalf("creator membership %+v, %v", m, err)
		}
	})
	t.Run("ErrNameTakenAnyCase", func(t *testing.T) {
		for _, name := range []string{"été", "ÉTÉ"} {
			wantKind(t, s.CreateChannel(ctx, &app.Channel{Name: name, CreatedBy: alice.ID}), app.ECONFLICT)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		wantKind(t, s.CreateChannel(ctx, &app.Channel{Name: "", CreatedBy: alice.ID}), app.EINVALID)
	})
	t.Run("ErrUnknownCreator", func(t *testing.T) {
		wantKind(t, s.CreateChannel(ctx, &app.Channel{Name: "ghost", CreatedBy: missingID}), app.ENOTFOUND)
		if chs, _ := s.ListChannels(ctx); len(chs) != 1 {
			t.Fatalf("%d channels, the failed create left a row", len(chs))
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.FindChannel(ctx, missingID)
		wantKind(t, err, app.ENOTFOUND)
	})
}

func TestChannelStore_ListChannels(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewChannelStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	if chs, err := s.ListChannels(ctx); err != nil || chs == nil || len(chs) != 0 {
		t.Fatalf("empty list %v, %v", chs, err)
	}
	zed := mustChannel(t, s, alice, "zed")
	mustChannel(t, s, bob, "Alpha")
	if err := s.AddMember(ctx, &app.Member{ChannelID: zed.ID, UserID: bob.ID}, app.ChannelWrite{ActorID: bob.ID}); err != nil {
		t.Fatal(err)
	}
	chs, err := s.ListChannels(ctx)
	if err != nil || len(chs) != 2 || chs[0].Name != "Alpha" || chs[1].Name != "zed" || chs[0].MemberCount != 1 || chs[1].MemberCount != 2 {
		t.Fatalf("got %v, %v", chs, err)
	}
	roles, err := s.MemberRoles(ctx, bob.ID)
	if err != nil || len(roles) != 2 || roles[zed.ID] != app.RoleMember || roles[chs[0].ID] != app.RoleOwner {
		t.Fatalf("bob's roles %v, %v", roles, err)
	}
}

func TestChannelStore_UpdateChannel(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewChannelStore(d)
	alice := mustUser(t, d, "alice")
	ch := mustChannel(t, s, alice, "general")
	mustChannel(t, s, alice, "random")
	name, desc := "General", "talk"
	t.Run("OK", func(t *testing.T) {
		clock.Advance(time.Minute)
		ev := event("channel_updated", map[string]any{"name": name})
		got, err := s.UpdateChannel(ctx, ch.ID, app.ChannelUpdate{Name: &name, Description: &desc}, app.ChannelWrite{ActorID: alice.ID, Event: ev})
		if err != nil || got.Name != name || got.Description != desc || !got.UpdatedAt.Equal(clock.Now()) || got.LastSeq != 1 {
			t.Fatalf("got %+v, %v", got, err)
		}
		if ev.Seq != 1 || ev.ChannelID != ch.ID || !ev.CreatedAt.Equal(clock.Now()) {
			t.Fatalf("event %+v", ev)
		}
		evs := storedEvents(t, s, ch.ID, 0)
		if len(evs) != 1 || evs[0].Seq != 1 || evs[0].Type != "channel_updated" || string(evs[0].Data) != `{"name":"General"}` {
			t.Fatalf("stored %+v", evs)
		}
	})
	t.Run("ErrNameTaken", func(t *testing.T) {
		taken := "RANDOM"
		ev := event("channel_updated", nil)
		_, err := s.UpdateChannel(ctx, ch.ID, app.ChannelUpdate{Name: &taken}, app.ChannelWrite{ActorID: alice.ID, Event: ev})
		wantKind(t, err, app.ECONFLICT)
		if ev.Seq != 0 || len(storedEvents(t, s, ch.ID, 1)) != 0 {
			t.Fatalf("a refused update took seq %d", ev.Seq)
		}
	})
	t.Run("ErrCheck", func(t *testing.T) {
		other := "other"
		_, err := s.UpdateChannel(ctx, ch.ID, app.ChannelUpdate{Name: &other}, app.ChannelWrite{ActorID: alice.ID, Check: refuse, Event: event("x", nil)})
		wantKind(t, err, app.EFORBIDDEN)
		if got, _ := s.FindChannel(ctx, ch.ID); got.Name != name || got.LastSeq != 1 {
			t.Fatalf("a refused update changed the channel: %+v", got)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := s.UpdateChannel(ctx, missingID, app.ChannelUpdate{Name: &desc}, app.ChannelWrite{ActorID: alice.ID})
		wantKind(t, err, app.ENOTFOUND)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		long := strings.Repeat("x", app.MaxChannelName+1)
		_, err := s.UpdateChannel(ctx, ch.ID, app.ChannelUpdate{Name: &long}, app.ChannelWrite{ActorID: alice.ID})
		wantKind(t, err, app.EINVALID)
	})
}

func TestChannelStore_DeleteChannel(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewChannelStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	ch := mustChannel(t, s, alice, "doomed")
	keep := mustChannel(t, s, alice, "kept")
	post(t, s, ch.ID, alice, "hello")
	if err := s.BanUser(ctx, &app.Ban{ChannelID: ch.ID, UserID: bob.ID, Motive: "spam"}, app.ChannelWrite{ActorID: alice.ID}); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrCheck", func(t *testing.T) {
		wantKind(t, s.DeleteChannel(ctx, ch.ID, app.ChannelWrite{ActorID: alice.ID, Check: refuse}), app.EFORBIDDEN)
	})
	t.Run("OK", func(t *testing.T) {
		ev := event("channel_deleted", nil)
		if err := s.DeleteChannel(ctx, ch.ID, app.ChannelWrite{ActorID: alice.ID, Event: ev}); err != nil {
			t.Fatal(err)
		}
		if ev.Seq != 2 || ev.ChannelID != ch.ID { // after the message (1); the ban recorded no event
			t.Fatalf("event %+v", ev)
		}
		_, err := s.FindChannel(ctx, ch.ID)
		wantKind(t, err, app.ENOTFOUND)
		for _, table := range []string{"channel_members", "channel_bans", "channel_messages", "channel_events"} {
			var n int
			d.read.QueryRow(`SELECT COUNT(*) FROM `+table+` WHERE channel_id = ?`, ch.ID).Scan(&n)
			if n != 0 {
				t.Errorf("%d rows left in %s", n, table)
			}
		}
		if _, err := s.FindChannel(ctx, keep.ID); err != nil {
			t.Fatalf("the other channel: %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantKind(t, s.DeleteChannel(ctx, ch.ID, app.ChannelWrite{ActorID: alice.ID}), app.ENOTFOUND)
	})
}

// TestChannelStore_CheckSeesMembership checks what a ChannelCheck is given:
// the actor's and the target's current membership, nil for non-members.
func TestChannelStore_CheckSeesMembership(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewChannelStore(d)
	alice, bob, carol := mustUser(t, d, "alice"), mustUser(t, d, "bob"), mustUser(t, d, "carol")
	ch := mustChannel(t, s, alice, "general")
	join(t, s, ch.ID, bob)
	var gotActor, gotTarget *app.Member
	spy := func(actor, target *app.Member) error {
		gotActor, gotTarget = actor, target
		return app.Errorf(app.EFORBIDDEN, "spied")
	}
	s.SetMemberRole(ctx, ch.ID, bob.ID, app.RoleAdmin, app.ChannelWrite{ActorID: alice.ID, Check: spy})
	if gotActor == nil || gotActor.Role != app.RoleOwner || gotTarget == nil || gotTarget.UserID != bob.ID || gotTarget.Role != app.RoleMember {
		t.Fatalf("actor %+v target %+v", gotActor, gotTarget)
	}
	s.BanUser(ctx, &app.Ban{ChannelID: ch.ID, UserID: carol.ID}, app.ChannelWrite{ActorID: carol.ID, Check: spy})
	if gotActor != nil || gotTarget != nil {
		t.Fatalf("non-members: actor %+v target %+v", gotActor, gotTarget)
	}
}

func TestChannelStore_EventRetention(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewChannelStore(d)
	alice := mustUser(t, d, "alice")
	ch := mustChannel(t, s, alice, "busy")
	const total = channelEventRetention + 5
	// Concurrent writers share group commits: one fsync for many.
	var wg sync.WaitGroup
	errs := make(chan error, total)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < total; i += 16 {
				ev := event("channel_message", map[string]any{"n": i})
				m := &app.Message{ChannelID: ch.ID, UserID: alice.ID, Content: "m"}
				errs <- s.CreateMessage(ctx, m, app.ChannelWrite{ActorID: alice.ID, Event: ev})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	evs := storedEvents(t, s, ch.ID, 0)
	if len(evs) != channelEventRetention || evs[0].Seq != 6 || evs[len(evs)-1].Seq != total {
		t.Fatalf("kept %d events, %d..%d", len(evs), evs[0].Seq, evs[len(evs)-1].Seq)
	}
	if page, _ := s.ListChannelEvents(ctx, ch.ID, total-3, 2); len(page) != 2 || page[0].Seq != total-2 {
		t.Fatalf("page after %d: %+v", total-3, page)
	}
}

// TestChannelQueryPlans checks that the hot channel queries seek an index.
func TestChannelQueryPlans(t *testing.T) {
	d, _ := mustOpen(t)
	for _, tc := range []struct {
		name, q, want string
		args          []any
	}{
		{"History", `SELECT ` + messageColumns + messageFrom + ` WHERE m.channel_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?`,
			"(channel_id=? AND seq<?)", []any{"c", 10, 50}},
		{"Events", `SELECT seq FROM channel_events WHERE channel_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
			"PRIMARY KEY (channel_id=? AND seq>?)", []any{"c", 10, 50}},
		{"Member", `SELECT ` + memberColumns + memberFrom + ` WHERE m.channel_id = ? AND m.user_id = ?`,
			"PRIMARY KEY (channel_id=? AND user_id=?)", []any{"c", "u"}},
		{"Roles", `SELECT channel_id, role FROM channel_members WHERE user_id = ?`, "channel_members_user (user_id=?)", []any{"u"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := queryPlan(t, d, tc.q, tc.args...)
			if !strings.Contains(plan, tc.want) || strings.Contains(plan, "TEMP B-TREE") {
				t.Fatalf("plan:\n%s\nwant %s, no sort", plan, tc.want)
			}
		})
	}
}
