package db

import (
	"context"
	"testing"

	"github.com/belfry/belfry/app"
)

// TestNumberStore: notifications and tokens are numbered in creation
// order, and a number is never given again, even after the newest row was
// deleted (which a plain rowid would reuse).
func TestNumberStore(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewNumberStore(d)
	alice := mustUser(t, d, "alice")
	ns := mustNotify(t, d, clock, alice.ID, "one", "two")
	first, created, err := s.NotificationNumber(ctx, ns[0].ID)
	if err != nil || !created.Equal(ns[0].CreatedAt) {
		t.Fatalf("number %d created %v, %v; want created %v", first, created, err, ns[0].CreatedAt)
	}
	second, _, _ := s.NotificationNumber(ctx, ns[1].ID)
	if first < 1 || second != first+1 {
		t.Fatalf("numbers %d, %d", first, second)
	}
	if err := NewNotificationStore(d).DeleteNotification(ctx, alice.ID, ns[1].ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.NotificationNumber(ctx, ns[1].ID)
	wantKind(t, err, app.ENOTFOUND, app.CodeNotificationNotFound)
	third := mustNotify(t, d, clock, alice.ID, "three")[0]
	if n, _, _ := s.NotificationNumber(ctx, third.ID); n != second+1 {
		t.Fatalf("after deleting the newest: number %d, want %d", n, second+1)
	}

	tokens := NewTokenStore(d)
	a, b := &app.Token{UserID: alice.ID, Scope: app.ScopePublish, Hash: "a"}, &app.Token{UserID: alice.ID, Scope: app.ScopePublish, Hash: "b"}
	for _, tok := range []*app.Token{a, b} {
		if err := tokens.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	na, _ := s.TokenNumber(ctx, a.ID)
	nb, _ := s.TokenNumber(ctx, b.ID)
	if na < 1 || nb != na+1 {
		t.Fatalf("token numbers %d, %d", na, nb)
	}
	if err := tokens.RevokeToken(ctx, "", b.ID); err != nil {
		t.Fatal(err)
	}
	c := &app.Token{UserID: alice.ID, Scope: app.ScopePublish, Hash: "c"}
	if err := tokens.CreateToken(ctx, c); err != nil {
		t.Fatal(err)
	}
	if nc, _ := s.TokenNumber(ctx, c.ID); nc != nb+1 {
		t.Fatalf("token number after revoking the newest: %d, want %d", nc, nb+1)
	}
	_, err = s.TokenNumber(ctx, b.ID)
	wantKind(t, err, app.ENOTFOUND)
}
