package db

import (
	"context"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// queueEmail queues one e-mail of userID created at at under rule.
func queueEmail(t *testing.T, d *DB, userID string, at time.Time, rule app.EmailBatch) *app.Email {
	t.Helper()
	e := &app.Email{UserID: userID, Type: "job_failed", Subject: "s", Payload: []byte("{}"), NextAttemptAt: at,
		CreatedAt: at, Batch: rule}
	if err := NewNotificationStore(d).QueueNotifications(context.Background(), nil, app.Outbox{Emails: []*app.Email{e}})(); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestEmailBatchRule: within an interval the first Threshold e-mails are
// pending, the rest held in one summary due at the interval's end; the
// first e-mail at or after the end starts a new interval.
func TestEmailBatchRule(t *testing.T) {
	d, _ := mustOpen(t)
	u := mustUser(t, d, "ann")
	rule := app.EmailBatch{Threshold: 2, Interval: 30 * time.Minute}
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var es []*app.Email
	for _, m := range []int{0, 5, 10, 29} {
		es = append(es, queueEmail(t, d, u.ID, start.Add(time.Duration(m)*time.Minute), rule))
	}
	next := queueEmail(t, d, u.ID, start.Add(30*time.Minute), rule)
	for i, want := range []string{app.EmailPending, app.EmailPending, app.EmailHeld, app.EmailHeld} {
		if es[i].Status != want {
			t.Fatalf("e-mail %d: %s, want %s", i, es[i].Status, want)
		}
	}
	if es[2].BatchID == "" || es[3].BatchID != es[2].BatchID || next.Status != app.EmailPending || next.BatchID != "" {
		t.Fatalf("batch ids %q %q, next %s %q", es[2].BatchID, es[3].BatchID, next.Status, next.BatchID)
	}
	store := NewEmailStore(d)
	due, ok, err := store.NextEmailDue(context.Background())
	if err != nil || !ok || !due.Equal(start) {
		t.Fatalf("next due %v %v %v", due, ok, err)
	}
	all, err := store.ListEmails(context.Background(), u.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var summaries int
	for _, e := range all {
		if e.Kind == app.EmailSummary {
			summaries++
			if e.ID != es[2].BatchID || !e.NextAttemptAt.Equal(start.Add(30*time.Minute)) || e.Status != app.EmailPending {
				t.Fatalf("summary %+v", e)
			}
		}
	}
	if summaries != 1 {
		t.Fatalf("%d summaries, want 1", summaries)
	}
	if pending, held, err := store.CountEmails(context.Background()); err != nil || pending != 4 || held != 2 {
		t.Fatalf("count: %d pending, %d held, %v; want 4 (3 e-mails and the summary) and 2", pending, held, err)
	}
}

// TestEmailSummaryRecorded: a sent summary gives its members its outcome
// and releases a held e-mail it did not carry (one that joined after it
// was built) to go on its own; a failed summary that never knew its
// members fails them all.
func TestEmailSummaryRecorded(t *testing.T) {
	ctx := context.Background()
	d, _ := mustOpen(t)
	u := mustUser(t, d, "ann")
	rule := app.EmailBatch{Threshold: 1, Interval: time.Hour}
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	queueEmail(t, d, u.ID, start, rule)
	carried := queueEmail(t, d, u.ID, start.Add(time.Minute), rule)
	late := queueEmail(t, d, u.ID, start.Add(2*time.Minute), rule)
	store := NewEmailStore(d)
	end := start.Add(time.Hour)
	summary := &app.Email{ID: carried.BatchID, Kind: app.EmailSummary, Subject: "[Belfry] 1 new notification",
		Status: app.EmailSent, Attempts: 1, NextAttemptAt: end, UpdatedAt: end, SentAt: &end, Members: []string{carried.ID}}
	if err := store.RecordEmails(ctx, []*app.Email{summary}); err != nil {
		t.Fatal(err)
	}
	got := map[string]*app.Email{}
	all, err := store.ListEmails(ctx, u.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		got[e.ID] = e
	}
	if e := got[carried.ID]; e.Status != app.EmailSent || e.SentAt == nil || !e.SentAt.Equal(end) || e.BatchID != summary.ID {
		t.Fatalf("carried %+v", e)
	}
	if e := got[late.ID]; e.Status != app.EmailPending || e.BatchID != "" || !e.NextAttemptAt.Equal(end) {
		t.Fatalf("late joiner %+v, want released", e)
	}
	if got[summary.ID].Subject != "[Belfry] 1 new notification" {
		t.Fatalf("summary subject %q", got[summary.ID].Subject)
	}

	// The next interval's summary fails before it knows its members.
	next := start.Add(2 * time.Hour)
	queueEmail(t, d, u.ID, next, rule)
	a, b := queueEmail(t, d, u.ID, next.Add(time.Minute), rule), queueEmail(t, d, u.ID, next.Add(2*time.Minute), rule)
	failed := &app.Email{ID: a.BatchID, Kind: app.EmailSummary, Subject: "s", Status: app.EmailFailed, Attempts: 1,
		LastError: "the user has no e-mail address", NextAttemptAt: next, UpdatedAt: next}
	if err := store.RecordEmails(ctx, []*app.Email{failed}); err != nil {
		t.Fatal(err)
	}
	kept, gone, err := store.HeldEmails(ctx, a.BatchID)
	if err != nil || len(kept) != 0 || len(gone) != 0 {
		t.Fatalf("still held: %d, %d, %v", len(kept), len(gone), err)
	}
	all, _ = store.ListEmails(ctx, u.ID, 20)
	for _, e := range all {
		if (e.ID == a.ID || e.ID == b.ID) && (e.Status != app.EmailFailed || e.LastError != failed.LastError) {
			t.Fatalf("held e-mail of a failed summary: %+v", e)
		}
	}
}
