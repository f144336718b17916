package db

import (
	"context"
	"testing"

	"github.com/belfry/belfry/app"
)

func TestUserStore_SetAdmin(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewUserStore(d)
	u := mustUser(t, d, "alice")
	for _, admin := range []bool{true, false} {
		if err := s.SetAdmin(ctx, u.ID, admin); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.FindUserByID(ctx, u.ID); got.IsAdmin != admin {
			t.Fatalf("is_admin %v, want %v", got.IsAdmin, admin)
		}
	}
	wantKind(t, s.SetAdmin(ctx, missingID, true), app.ENOTFOUND)
}
