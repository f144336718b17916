package db

import (
	"context"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

var testObject = app.ObjectRef{AppLabel: "jobs", ModelName: "job", ObjectID: "42"}

func TestMuteStore_CreateMute(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewMuteStore(d)
	u := mustUser(t, d, "alice")
	till := clock.Now().Add(time.Hour)
	first := &app.Mute{UserID: u.ID, Object: testObject, ValidTill: &till}
	t.Run("OK", func(t *testing.T) {
		if err := s.CreateMute(ctx, first); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindMute(ctx, u.ID, testObject)
		if err != nil || got.ID != first.ID || !got.ValidTill.Equal(till) || !got.CreatedAt.Equal(clock.Now()) {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("RemuteKeepsID", func(t *testing.T) {
		clock.Advance(time.Minute)
		again := &app.Mute{UserID: u.ID, Object: testObject} // forever now
		if err := s.CreateMute(ctx, again); err != nil {
			t.Fatal(err)
		}
		if again.ID != first.ID || !again.CreatedAt.Equal(first.CreatedAt) {
			t.Fatalf("re-mute got id %s created %v, want %s %v", again.ID, again.CreatedAt, first.ID, first.CreatedAt)
		}
		got, err := s.FindMute(ctx, u.ID, testObject)
		if err != nil || got.ValidTill != nil {
			t.Fatalf("got %+v, %v; want valid_till NULL", got, err)
		}
		if list, _ := s.ListMutes(ctx, u.ID); len(list) != 1 {
			t.Fatalf("%d mutes after re-muting, want 1", len(list))
		}
	})
	t.Run("ErrObject", func(t *testing.T) {
		wantKind(t, s.CreateMute(ctx, &app.Mute{UserID: u.ID, Object: app.ObjectRef{AppLabel: "jobs"}}), app.EINVALID)
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		wantKind(t, s.CreateMute(ctx, &app.Mute{UserID: missingID, Object: testObject}), app.ENOTFOUND)
	})
}

func TestMuteStore_Expiry(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewMuteStore(d)
	alice, bob, carol := mustUser(t, d, "alice"), mustUser(t, d, "bob"), mustUser(t, d, "carol")
	soon := clock.Now().Add(time.Minute)
	other := app.ObjectRef{AppLabel: "jobs", ModelName: "job", ObjectID: "43"}
	for _, m := range []*app.Mute{
		{UserID: alice.ID, Object: testObject, ValidTill: &soon},
		{UserID: bob.ID, Object: testObject},
		{UserID: carol.ID, Object: other},
	} {
		if err := s.CreateMute(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	ids := []string{alice.ID, bob.ID, carol.ID}
	t.Run("Active", func(t *testing.T) {
		got, err := s.MutedUsers(ctx, testObject, ids)
		if err != nil || len(got) != 2 || !got[alice.ID] || !got[bob.ID] {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	clock.Advance(time.Minute) // valid_till == now: expired
	t.Run("ExpiredIgnored", func(t *testing.T) {
		got, err := s.MutedUsers(ctx, testObject, ids)
		if err != nil || len(got) != 1 || !got[bob.ID] {
			t.Fatalf("got %v, %v", got, err)
		}
		_, err = s.FindMute(ctx, alice.ID, testObject)
		wantKind(t, err, app.ENOTFOUND)
		if list, err := s.ListMutes(ctx, alice.ID); err != nil || list == nil || len(list) != 0 {
			t.Fatalf("alice's mutes %v, %v", list, err)
		}
	})
	t.Run("DeleteExpired", func(t *testing.T) {
		if n, err := s.DeleteExpiredMutes(ctx, clock.Now()); err != nil || n != 1 {
			t.Fatalf("deleted %d, %v; want 1", n, err)
		}
		var left int
		d.read.QueryRow(`SELECT COUNT(*) FROM mutes`).Scan(&left)
		if left != 2 {
			t.Fatalf("%d mutes left, want 2", left)
		}
	})
}

func TestMuteStore_DeleteMute(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewMuteStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	m := &app.Mute{UserID: alice.ID, Object: testObject}
	if err := s.CreateMute(ctx, m); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrOtherUser", func(t *testing.T) {
		wantKind(t, s.DeleteMute(ctx, bob.ID, m.ID), app.ENOTFOUND)
		if _, err := s.FindMute(ctx, alice.ID, testObject); err != nil {
			t.Fatalf("bob deleted alice's mute: %v", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		if err := s.DeleteMute(ctx, alice.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.FindMute(ctx, alice.ID, testObject)
		wantKind(t, err, app.ENOTFOUND)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		wantKind(t, s.DeleteMute(ctx, alice.ID, m.ID), app.ENOTFOUND)
	})
}
