package db

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

func TestReportStore_WeekStats(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewReportStore(d)
	ns := NewNotificationStore(d)
	alice, bob := mustUser(t, d, "alice"), mustUser(t, d, "bob")
	from := clock.Now()
	to := from.Add(7 * 24 * time.Hour)
	add := func(user *app.User, at time.Time, typ string, level app.Level, service string) *app.Notification {
		n := newNotification(d, user.ID, typ)
		n.Type, n.Level, n.ServiceID, n.CreatedAt = typ, level, service, at
		if err := ns.CreateNotifications(ctx, []*app.Notification{n}, nil); err != nil {
			t.Fatal(err)
		}
		return n
	}
	add(alice, from.Add(-time.Millisecond), "job_failed", app.LevelError, "nas") // the week before
	read := add(alice, from, "job_failed", app.LevelError, "nas")
	acked := add(alice, from.Add(time.Hour), "job_completed", app.LevelInfo, "backup")
	add(alice, from.Add(2*time.Hour), "job_completed", app.LevelInfo, "backup")
	add(alice, from.Add(3*time.Hour), "quota_warning", app.LevelWarning, "")
	add(alice, from.Add(4*time.Hour), "weekly_report", app.LevelInfo, "") // not counted
	add(alice, to, "job_failed", app.LevelError, "nas")                   // the week after
	add(bob, from.Add(time.Hour), "job_failed", app.LevelError, "nas")    // another user
	if _, err := ns.MarkRead(ctx, alice.ID, read.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ns.Acknowledge(ctx, alice.ID, acked.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.WeekStats(ctx, alice.ID, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := &app.WeekStats{Total: 4, Unread: 2, Acknowledged: 1,
		ByType:         map[string]int{"job_failed": 1, "job_completed": 2, "quota_warning": 1},
		ByLevel:        map[string]int{"error": 1, "info": 2, "warning": 1},
		BusiestService: "backup", BusiestServiceCount: 2}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("stats = %+v\nwant    %+v", got, want)
	}
	empty, err := s.WeekStats(ctx, alice.ID, to.Add(time.Hour), to.Add(2*time.Hour))
	if err != nil || empty.Total != 0 || empty.BusiestService != "" || empty.ByType == nil {
		t.Fatalf("empty week = %+v, %v", empty, err)
	}
}

func TestReportStore_Claim(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewReportStore(d)
	alice := mustUser(t, d, "alice")
	now := clock.Now()
	stale := now.Add(-10 * time.Minute)
	claim := func(at time.Time, want app.ReportClaim) {
		t.Helper()
		got, err := s.ClaimReport(ctx, alice.ID, "2026-W13", at, at.Add(-10*time.Minute))
		if err != nil || got != want {
			t.Fatalf("claim at %v = %v, %v; want %v", at, got, err, want)
		}
	}
	claim(now, app.ReportClaimed)
	claim(now, app.ReportTaken)
	claim(now.Add(5*time.Minute), app.ReportTaken)      // still fresh
	claim(now.Add(11*time.Minute), app.ReportRecovered) // stale: a crash
	claim(now.Add(12*time.Minute), app.ReportTaken)     // the takeover refreshed it
	if err := s.CompleteReport(ctx, alice.ID, "2026-W13", "n1", now); err != nil {
		t.Fatal(err)
	}
	claim(now.Add(48*time.Hour), app.ReportTaken) // sent runs are never taken over
	if sent, err := s.SentReports(ctx, "2026-W13"); err != nil || !sent[alice.ID] || len(sent) != 1 {
		t.Fatalf("sent reports = %v, %v", sent, err)
	}
	// Releasing a sent run does nothing; releasing a claim frees it.
	if err := s.ReleaseReport(ctx, alice.ID, "2026-W13"); err != nil {
		t.Fatal(err)
	}
	claim(now.Add(49*time.Hour), app.ReportTaken)
	if got, _ := s.ClaimReport(ctx, alice.ID, "2026-W14", now, stale); got != app.ReportClaimed {
		t.Fatalf("other week = %v", got)
	}
	if err := s.ReleaseReport(ctx, alice.ID, "2026-W14"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ClaimReport(ctx, alice.ID, "2026-W14", now, stale); got != app.ReportClaimed {
		t.Fatalf("released week = %v", got)
	}
	if sent, _ := s.SentReports(ctx, "2026-W14"); len(sent) != 0 {
		t.Fatalf("a claimed run counts as sent: %v", sent)
	}
	_, err := s.ClaimReport(ctx, missingID, "2026-W14", now, stale)
	wantKind(t, err, app.ENOTFOUND)
}

func TestReportStore_FindWeeklyReport(t *testing.T) {
	ctx := context.Background()
	d, clock := mustOpen(t)
	s := NewReportStore(d)
	alice := mustUser(t, d, "alice")
	n := newNotification(d, alice.ID, "report")
	n.Type, n.Data = "weekly_report", json.RawMessage(`{"period":"2026-W13","total":3}`)
	if err := NewNotificationStore(d).CreateNotifications(ctx, []*app.Notification{n}, nil); err != nil {
		t.Fatal(err)
	}
	if id, err := s.FindWeeklyReport(ctx, alice.ID, "2026-W13", clock.Now().Add(-time.Hour)); err != nil || id != n.ID {
		t.Fatalf("find = %q, %v", id, err)
	}
	_, err := s.FindWeeklyReport(ctx, alice.ID, "2026-W14", clock.Now().Add(-time.Hour))
	wantKind(t, err, app.ENOTFOUND)
	_, err = s.FindWeeklyReport(ctx, alice.ID, "2026-W13", clock.Now().Add(time.Hour))
	wantKind(t, err, app.ENOTFOUND)
}
