package db

import (
	"context"
	"testing"

	"github.com/belfry/belfry/app"
)

// join makes u a member of the channel.
func join(t testing.TB, s *ChannelStore, channelID string, u *app.User) {
	t.Helper()
	if err := s.AddMember(context.Background(), &app.Member{ChannelID: channelID, UserID: u.ID}, app.ChannelWrite{ActorID: u.ID}); err != nil {
		t.Fatalf("%s joins: %v", u.Username, err)
	}
}

func TestChannelStore_AddMember(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewChannelStore(d)
	alice, bob, carol := mustUser(t, d, "alice"), mustUser(t, d, "bob"), mustUser(t, d, "carol")
	ch := mustChannel(t, s, alice, "general")
	t.Run("OK", func(t *testing.T) {
		ev := event("member_joined", nil)
		m := &app.Member{ChannelID: ch.ID, UserID: bob.ID}
		if err := s.AddMember(ctx, m, app.ChannelWrite{ActorID: bob.ID, Event: ev}); err != nil {
			t.Fatal(err)
		}
		if m.Role != app.RoleMember || !m.JoinedAt.Equal(clock.Now()) || ev.Seq != 1 {
			t.Fatalf("member %+v event %+v", m, ev)
		}
		members, err := s.ListMembers(ctx, ch.ID)
		if err != nil || len(members) != 2 || members[0].UserID != alice.ID || members[1].Username != "bob" {
			t.Fatalf("members %+v, %v", members, err)
		}
	})
	t.Run("ErrAlreadyMember", func(t *testing.T) {
		ev := event("member_joined", nil)
		wantKind(t, s.AddMember(ctx, &app.Member{ChannelID: ch.ID, UserID: bob.ID}, app.ChannelWrite{ActorID: bob.ID, Event: ev}), app.ECONFLICT)
		if ev.Seq != 0 {
			t.Fatal("a refused join took a sequence number")
		}
	})
	t.Run("ErrBanned", func(t *testing.T) {
		if err := s.BanUser(ctx, &app.Ban{ChannelID: ch.ID, UserID: carol.ID, Motive: "spam"}, app.ChannelWrite{ActorID: alice.ID}); err != nil {
			t.Fatal(err)
		}
		wantKind(t, s.AddMember(ctx, &app.Member{ChannelID: ch.ID, UserID: carol.ID}, app.ChannelWrite{ActorID: carol.ID}), app.EFORBIDDEN)
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		wantKind(t, s.AddMember(ctx, &app.Member{ChannelID: missingID, UserID: bob.ID}, app.ChannelWrite{ActorID: bob.ID}), app.ENOTFOUND)
		wantKind(t, s.AddMember(ctx, &app.Member{ChannelID: ch.ID, UserID: missingID}, app.ChannelWrite{ActorID: missingID}), app.ENOTFOUND)
	})
	t.Run("UserDeleted", func(t *testing.T) {
		if err := NewUserStore(d).DeleteUser(ctx, bob.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindMember(ctx, ch.ID, bob.ID)
		wantKind(t, err, app.ENOTFOUND)
	})
}

func TestChannelStore_RemoveMember(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewChannelStore(d)
	alice, bob, carol := mustUser(t, d, "alice"), mustUser(t, d, "bob"), mustUser(t, d, "carol")
	ch := mustChannel(t, s, alice, "general")
	join(t, s, ch.ID, bob)
	t.Run("ErrLastOwner", func(t *testing.T) {
		wantKind(t, s.RemoveMember(ctx, ch.ID, alice.ID, app.ChannelWrite{ActorID: alice.ID}), app.ECONFLICT)
	})
	t.Run("ErrNotMember", func(t *testing.T) {
		wantKind(t, s.RemoveMember(ctx, ch.ID, carol.ID, app.ChannelWrite{ActorID: alice.ID}), app.ENOTFOUND)
	})
	t.Run("ErrCheck", func(t *testing.T) {
		wantKind(t, s.RemoveMember(ctx, ch.ID, bob.ID, app.ChannelWrite{ActorID: alice.ID, Check: refuse}), app.EFORBIDDEN)
	})
	t.Run("OK", func(t *testing.T) {
		ev := event("member_left", nil)
		if err := s.RemoveMember(ctx, ch.ID, bob.ID, app.ChannelWrite{ActorID: bob.ID, Event: ev}); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindMember(ctx, ch.ID, bob.ID)
		wantKind(t, err, app.ENOTFOUND)
		if ev.Seq != 1 { // join (the helper) records no event
			t.Fatalf("seq %d", ev.Seq)
		}
	})
	t.Run("OwnerLeavesAnotherStays", func(t *testing.T) {
		join(t, s, ch.ID, carol)
		if _, err := s.SetMemberRole(ctx, ch.ID, carol.ID, app.RoleOwner, app.ChannelWrite{ActorID: alice.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveMember(ctx, ch.ID, alice.ID, app.ChannelWrite{ActorID: alice.ID}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestChannelStore_SetMemberRole(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewChannelStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	ch := mustChannel(t, s, alice, "general")
	join(t, s, ch.ID, bob)
	t.Run("OK", func(t *testing.T) {
		ev := event("member_role_updated", nil)
		m, err := s.SetMemberRole(ctx, ch.ID, bob.ID, app.RoleModerator, app.ChannelWrite{ActorID: alice.ID, Event: ev})
		if err != nil || m.Role != app.RoleModerator || m.Username != "bob" || ev.Seq != 1 {
			t.Fatalf("got %+v, %v, seq %d", m, err, ev.Seq)
		}
		if got, _ := s.FindMember(ctx, ch.ID, bob.ID); got.Role != app.RoleModerator {
			t.Fatalf("stored role %s", got.Role)
		}
	})
	t.Run("SameRoleNoEvent", func(t *testing.T) {
		ev := event("member_role_updated", nil)
		m, err := s.SetMemberRole(ctx, ch.ID, bob.ID, app.RoleModerator, app.ChannelWrite{ActorID: alice.ID, Event: ev})
		if err != nil || m.Role != app.RoleModerator || ev.Seq != 0 || len(storedEvents(t, s, ch.ID, 1)) != 0 {
			t.Fatalf("got %+v, %v, seq %d", m, err, ev.Seq)
		}
	})
	t.Run("ErrLastOwner", func(t *testing.T) {
		_, err := s.SetMemberRole(ctx, ch.ID, alice.ID, app.RoleAdmin, app.ChannelWrite{ActorID: alice.ID})
		wantKind(t, err, app.ECONFLICT)
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := s.SetMemberRole(ctx, ch.ID, bob.ID, "boss", app.ChannelWrite{ActorID: alice.ID})
		wantKind(t, err, app.EINVALID)
	})
	t.Run("ErrNotMember", func(t *testing.T) {
		_, err := s.SetMemberRole(ctx, ch.ID, missingID, app.RoleAdmin, app.ChannelWrite{ActorID: alice.ID})
		wantKind(t, err, app.ENOTFOUND)
	})
	t.Run("HandOver", func(t *testing.T) {
		if _, err := s.SetMemberRole(ctx, ch.ID, bob.ID, app.RoleOwner, app.ChannelWrite{ActorID: alice.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetMemberRole(ctx, ch.ID, alice.ID, app.RoleMember, app.ChannelWrite{ActorID: alice.ID}); err != nil {
			t.Fatalf("demoting one of two owners: %v", err)
		}
	})
}

func TestChannelStore_Bans(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewChannelStore(d)
	alice, bob, carol := mustUser(t, d, "alice"), mustUser(t, d, "bob"), mustUser(t, d, "carol")
	ch := mustChannel(t, s, alice, "general")
	join(t, s, ch.ID, bob)
	t.Run("BanMember", func(t *testing.T) {
		ev := event("user_banned", nil)
		b := &app.Ban{ChannelID: ch.ID, UserID: bob.ID, BannedBy: alice.ID, Motive: "spam"}
		if err := s.BanUser(ctx, b, app.ChannelWrite{ActorID: alice.ID, Event: ev}); err != nil {
			t.Fatal(err)
		}
		if ev.Seq != 1 || !b.CreatedAt.Equal(clock.Now()) {
			t.Fatalf("ban %+v seq %d", b, ev.Seq)
		}
		_, err := s.FindMember(ctx, ch.ID, bob.ID)
		wantKind(t, err, app.ENOTFOUND)
		got, err := s.FindBan(ctx, ch.ID, bob.ID)
		if err != nil || got.Motive != "spam" || got.BannedBy != alice.ID {
			t.Fatalf("ban %+v, %v", got, err)
		}
	})
	t.Run("BanNonMember", func(t *testing.T) {
		if err := s.BanUser(ctx, &app.Ban{ChannelID: ch.ID, UserID: carol.ID}, app.ChannelWrite{ActorID: alice.ID}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrAlreadyBanned", func(t *testing.T) {
		wantKind(t, s.BanUser(ctx, &app.Ban{ChannelID: ch.ID, UserID: bob.ID}, app.ChannelWrite{ActorID: alice.ID}), app.ECONFLICT)
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		wantKind(t, s.BanUser(ctx, &app.Ban{ChannelID: ch.ID, UserID: missingID}, app.ChannelWrite{ActorID: alice.ID}), app.ENOTFOUND)
	})
	t.Run("ErrLastOwner", func(t *testing.T) {
		wantKind(t, s.BanUser(ctx, &app.Ban{ChannelID: ch.ID, UserID: alice.ID}, app.ChannelWrite{ActorID: alice.ID}), app.ECONFLICT)
		if _, err := s.FindMember(ctx, ch.ID, alice.ID); err != nil {
			t.Fatalf("the last owner lost their membership: %v", err)
		}
	})
	t.Run("Unban", func(t *testing.T) {
		ev := event("user_unbanned", nil)
		if err := s.UnbanUser(ctx, ch.ID, bob.ID, app.ChannelWrite{ActorID: alice.ID, Event: ev}); err != nil || ev.Seq != 2 {
			t.Fatalf("unban: %v, seq %d", err, ev.Seq)
		}
		_, err := s.FindBan(ctx, ch.ID, bob.ID)
		wantKind(t, err, app.ENOTFOUND)
		join(t, s, ch.ID, bob) // may join again
	})
	t.Run("ErrNotBanned", func(t *testing.T) {
		wantKind(t, s.UnbanUser(ctx, ch.ID, bob.ID, app.ChannelWrite{ActorID: alice.ID}), app.ENOTFOUND)
	})
	t.Run("ErrCheck", func(t *testing.T) {
		wantKind(t, s.UnbanUser(ctx, ch.ID, carol.ID, app.ChannelWrite{ActorID: alice.ID, Check: refuse}), app.EFORBIDDEN)
		if _, err := s.FindBan(ctx, ch.ID, carol.ID); err != nil {
			t.Fatalf("a refused unban lifted the ban: %v", err)
		}
	})
	t.Run("ErrMotive", func(t *testing.T) {
		long := make([]byte, app.MaxMotive+1)
		for i := range long {
			long[i] = 'm'
		}
		wantKind(t, s.BanUser(ctx, &app.Ban{ChannelID: ch.ID, UserID: bob.ID, Motive: string(long)}, app.ChannelWrite{ActorID: alice.ID}), app.EINVALID)
	})
}
