package db

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/belfry/belfry/app"
)

func TestPreferenceStore(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewPreferenceStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	t.Run("NoneStored", func(t *testing.T) {
		got, err := s.Preferences(ctx, alice.ID)
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	t.Run("Upsert", func(t *testing.T) {
		if err := s.UpdatePreferences(ctx, alice.ID, app.Preferences{"job_failed": false, "job_failed_toast": true}); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdatePreferences(ctx, alice.ID, app.Preferences{"job_failed": true, "weekly_report": false}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Preferences(ctx, alice.ID)
		want := app.Preferences{"job_failed": true, "job_failed_toast": true, "weekly_report": false}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("got %v, %v; want %v", got, err, want)
		}
	})
	t.Run("ErrUnknownUser", func(t *testing.T) {
		wantKind(t, s.UpdatePreferences(ctx, missingID, app.Preferences{"job_failed": true}), app.ENOTFOUND)
	})
	t.Run("For", func(t *testing.T) {
		if err := s.UpdatePreferences(ctx, bob.ID, app.Preferences{"quota_warning": false}); err != nil {
			t.Fatal(err)
		}
		got, err := s.PreferencesFor(ctx, []string{alice.ID, bob.ID, missingID})
		if err != nil || len(got) != 3 || len(got[alice.ID]) != 3 || got[bob.ID]["quota_warning"] || len(got[missingID]) != 0 {
			t.Fatalf("got %v, %v", got, err)
		}
	})
}

func TestPreferenceStore_ForChunks(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	s := NewPreferenceStore(d)
	last := mustUser(t, d, "last")
	if err := s.UpdatePreferences(ctx, last.ID, app.Preferences{"job_failed": false}); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, 1101)
	for i := range 1100 {
		ids = append(ids, fmt.Sprint("absent-", i))
	}
	ids = append(ids, last.ID)
	got, err := s.PreferencesFor(ctx, ids)
	if err != nil || len(got) != len(ids) {
		t.Fatalf("got %d users, %v", len(got), err)
	}
	if v, ok := got[last.ID]["job_failed"]; !ok || v {
		t.Fatalf("the third chunk's user lost their preference: %v", got[last.ID])
	}
}
