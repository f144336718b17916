package report

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/bus"
	"github.com/belfry/belfry/app/clock/clocktest"
	"github.com/belfry/belfry/app/notify"
	"github.com/belfry/belfry/db"
)

// fixture is a Reporter on a real database, dispatching through the real
// dispatcher, in Europe/Paris.
type fixture struct {
	t        *testing.T
	db       *db.DB
	clock    *clocktest.Fake
	users    *db.UserStore
	notes    *db.NotificationStore
	store    *db.ReportStore
	disp     app.Dispatcher
	reporter *Reporter
	paris    *time.Location
}

func newFixture(t *testing.T, cfg ...func(*app.ReportConfig)) *fixture {
	t.Helper()
	paris := mustLoad(t, "Europe/Paris")
	f := &fixture{t: t, clock: clocktest.At(time.Date(2026, 11, 25, 10, 0, 0, 0, paris)), paris: paris}
	d := apptest.OpenDB(t)
	d.Now = f.clock.Now
	types, _ := app.NewTypes(nil)
	f.db, f.users, f.notes, f.store = d, db.NewUserStore(d), db.NewNotificationStore(d), db.NewReportStore(d)
	f.disp = notify.New(notify.Deps{Types: types, Users: f.users, Notifications: f.notes,
		Preferences: db.NewPreferenceStore(d), Mutes: db.NewMuteStore(d), Changes: bus.New(), Clock: f.clock})
	c := app.DefaultConfig()
	c.Report.Timezone = "Europe/Paris"
	for _, fn := range cfg {
		fn(&c.Report)
	}
	var err error
	f.reporter, err = New(Deps{Config: c.Report, Dispatcher: f.disp, Users: f.users, Store: f.store, Clock: f.clock,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// user creates a user at created.
func (f *fixture) user(name string, created time.Time) *app.User {
	f.t.Helper()
	u := &app.User{Username: name, PasswordHash: "x", CreatedAt: created}
	if err := f.users.CreateUser(context.Background(), u); err != nil {
		f.t.Fatal(err)
	}
	return u
}

// notify stores a notification of u at the given instant.
func (f *fixture) notify(u *app.User, at time.Time, typ string, level app.Level, service string) *app.Notification {
	f.t.Helper()
	n := apptest.Notification(u.ID, typ)
	n.Type, n.Level, n.ServiceID, n.CreatedAt = typ, level, service, at
	if err := f.notes.CreateNotifications(context.Background(), []*app.Notification{n}, nil); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// reports returns u's weekly_report notifications.
func (f *fixture) reports(u *app.User) []*app.Notification {
	f.t.Helper()
	ns, err := f.notes.ListNotifications(context.Background(), app.NotificationFilter{UserID: u.ID, Type: "weekly_report", Limit: 100})
	if err != nil {
		f.t.Fatal(err)
	}
	return ns
}

var longAgo = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// statuses maps usernames to their result's status.
func statuses(res []Result) map[string]string {
	m := map[string]string{}
	for _, r := range res {
		m[r.Username] = r.Status
	}
	return m
}

// ids maps usernames to their report's notification id.
func ids(res []Result) map[string]string {
	m := map[string]string{}
	for _, r := range res {
		m[r.Username] = r.NotificationID
	}
	return m
}

func TestRunWeek_ContentAndIdempotency(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	alice, bob := f.user("alice", longAgo), f.user("bob", longAgo)
	// 2026-W47 in Paris: Mon 16 Nov 00:00 CET (15 Nov 23:00 UTC) to Mon 23 Nov.
	f.notify(alice, time.Date(2026, 11, 15, 22, 59, 0, 0, time.UTC), "job_failed", app.LevelError, "nas") // W46 in Paris
	f.notify(alice, time.Date(2026, 11, 15, 23, 0, 0, 0, time.UTC), "job_failed", app.LevelError, "nas")
	read := f.notify(alice, time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC), "job_completed", app.LevelInfo, "restic")
	f.notify(alice, time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC), "job_completed", app.LevelInfo, "restic")
	f.notify(alice, time.Date(2026, 11, 22, 22, 59, 0, 0, time.UTC), "quota_warning", app.LevelWarning, "")
	f.notify(alice, time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC), "job_failed", app.LevelError, "nas") // W48 in Paris
	if _, err := f.notes.MarkRead(ctx, alice.ID, read.ID); err != nil {
		t.Fatal(err)
	}

	res, err := f.reporter.RunWeek(ctx, "2026-W47", "", false)
	if st := statuses(res); err != nil || len(res) != 2 || st["alice"] != StatusSent || st["bob"] != StatusSent {
		t.Fatalf("results %+v, %v", res, err)
	}
	got := f.reports(alice)
	if len(got) != 1 || got[0].ID != ids(res)["alice"] || got[0].Title != "Weekly report 2026-W47" {
		t.Fatalf("alice's reports %+v", got)
	}
	wantBody := "**4 notifications** from Mon 16 Nov to Sun 22 Nov 2026: 1 error, 1 warning, 2 info.\n\n" +
		"- By type: job_completed 2, job_failed 1, quota_warning 1\n- Still unread: 3\n- Acknowledged: 0\n- Busiest service: restic (2)"
	if got[0].Body != wantBody {
		t.Fatalf("body:\n%s\nwant:\n%s", got[0].Body, wantBody)
	}
	var data map[string]any
	if err := json.Unmarshal(got[0].Data, &data); err != nil {
		t.Fatal(err)
	}
	if data["period"] != "2026-W47" || data["total"] != float64(4) || data["unread"] != float64(3) ||
		data["timezone"] != "Europe/Paris" || data["from"] != "2026-11-16T00:00:00+01:00" || data["to"] != "2026-11-23T00:00:00+01:00" ||
		data["by_level"].(map[string]any)["error"] != float64(1) || data["busiest_service"] != "restic" {
		t.Fatalf("data = %s", got[0].Data)
	}
	if b := f.reports(bob); len(b) != 1 || b[0].Body != "No notifications from Mon 16 Nov to Sun 22 Nov 2026." {
		t.Fatalf("bob's reports %+v", b)
	}

	// A second run sends nothing more.
	res, err = f.reporter.RunWeek(ctx, "2026-W47", "", false)
	if st := statuses(res); err != nil || st["alice"] != StatusAlreadySent || st["bob"] != StatusAlreadySent {
		t.Fatalf("second run %+v, %v", res, err)
	}
	if len(f.reports(alice)) != 1 || len(f.reports(bob)) != 1 {
		t.Fatal("a second run sent the report again")
	}
}

// barrierStore holds the first n claims until all n arrived, so that
// concurrent runs really race for the same rows.
type barrierStore struct {
	*db.ReportStore
	mu      sync.Mutex
	n       int
	arrived chan struct{}
}

func (b *barrierStore) ClaimReport(ctx context.Context, userID, week string, now, stale time.Time) (app.ReportClaim, error) {
	b.mu.Lock()
	if b.n > 0 {
		if b.n--; b.n == 0 {
			close(b.arrived)
		}
	}
	b.mu.Unlock()
	<-b.arrived
	return b.ReportStore.ClaimReport(ctx, userID, week, now, stale)
}

// TestRunWeek_Concurrent: runs racing for the same week (two schedules,
// the CLI beside the server) still send one report per user.
func TestRunWeek_Concurrent(t *testing.T) {
	f := newFixture(t)
	f.reporter.d.Store = &barrierStore{ReportStore: f.store, n: 4, arrived: make(chan struct{})}
	var users []*app.User
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		users = append(users, f.user(name, longAgo))
	}
	var wg sync.WaitGroup
	sent := make(chan int, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := f.reporter.RunWeek(context.Background(), "2026-W47", "", false)
			if err != nil {
				t.Error(err)
			}
			n := 0
			for _, r := range res {
				if r.Status == StatusSent {
					n++
				}
			}
			sent <- n
		}()
	}
	wg.Wait()
	close(sent)
	total := 0
	for n := range sent {
		total += n
	}
	for _, u := range users {
		if n := len(f.reports(u)); n != 1 {
			t.Fatalf("%s got %d reports", u.Username, n)
		}
	}
	if total != len(users) {
		t.Fatalf("runs claim %d sends, want %d", total, len(users))
	}
}

func TestRunWeek_DryRunUserAndErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	alice, bob := f.user("alice", longAgo), f.user("bob", longAgo)
	res, err := f.reporter.RunWeek(ctx, "2026-W47", "alice", true)
	if err != nil || len(res) != 1 || res[0].Status != StatusDryRun || res[0].Title != "Weekly report 2026-W47" || res[0].Stats == nil {
		t.Fatalf("dry run %+v, %v", res, err)
	}
	if len(f.reports(alice)) != 0 {
		t.Fatal("a dry run sent a report")
	}
	res, err = f.reporter.RunWeek(ctx, "2026-W47", "alice", false)
	if err != nil || len(res) != 1 || res[0].Status != StatusSent || len(f.reports(alice)) != 1 || len(f.reports(bob)) != 0 {
		t.Fatalf("run for alice %+v, %v", res, err)
	}
	if _, err := f.reporter.RunWeek(ctx, "2026-W47", "nobody", false); app.ErrorKind(err) != app.ENOTFOUND {
		t.Fatalf("unknown user: %v", err)
	}
	if _, err := f.reporter.RunWeek(ctx, "2026-W99", "", false); app.ErrorKind(err) != app.EINVALID {
		t.Fatalf("bad week: %v", err)
	}
}

// TestRunWeek_PreferenceOff: a user who turned the report off gets no
// notification, and the run still counts as done.
func TestRunWeek_PreferenceOff(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	alice := f.user("alice", longAgo)
	if err := db.NewPreferenceStore(f.db).UpdatePreferences(ctx, alice.ID, app.Preferences{"weekly_report": false}); err != nil {
		t.Fatal(err)
	}
	res, err := f.reporter.RunWeek(ctx, "2026-W47", "", false)
	if err != nil || res[0].Status != StatusSent || res[0].NotificationID != "" || len(f.reports(alice)) != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	if sent, _ := f.store.SentReports(ctx, "2026-W47"); !sent[alice.ID] {
		t.Fatal("the run is not recorded")
	}
}

// TestRunWeek_CrashRecovery covers the two crashes around the dispatch: a
// claim that never dispatched is sent after the claim goes stale; a claim
// whose notification was written but never completed is not sent again.
func TestRunWeek_CrashRecovery(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	before, after := f.user("before", longAgo), f.user("after", longAgo)
	now := f.clock.Now()
	for _, u := range []*app.User{before, after} {
		if c, err := f.store.ClaimReport(ctx, u.ID, "2026-W47", now, now.Add(-staleClaim)); err != nil || c != app.ReportClaimed {
			t.Fatalf("claim: %v %v", c, err)
		}
	}
	// "after" crashed once its notification was stored.
	ev := f.reporter.event(after, Week{2026, 47}, &app.WeekStats{ByType: map[string]int{}, ByLevel: map[string]int{}})
	if _, err := f.disp.Notify(ctx, nil, ev); err != nil {
		t.Fatal(err)
	}
	res, _ := f.reporter.RunWeek(ctx, "2026-W47", "", false)
	st := statuses(res)
	if st["before"] != StatusAlreadySent || st["after"] != StatusAlreadySent || len(f.reports(before)) != 0 {
		t.Fatalf("fresh claims were taken over: %v", st)
	}
	f.clock.Set(now.Add(staleClaim + time.Minute))
	res, err := f.reporter.RunWeek(ctx, "2026-W47", "", false)
	if st = statuses(res); err != nil || st["before"] != StatusSent || st["after"] != StatusAlreadySent {
		t.Fatalf("after the claims went stale: %v, %v", st, err)
	}
	if len(f.reports(before)) != 1 || len(f.reports(after)) != 1 {
		t.Fatalf("reports: before %d, after %d; want 1 each", len(f.reports(before)), len(f.reports(after)))
	}
	if sent, _ := f.store.SentReports(ctx, "2026-W47"); len(sent) != 2 {
		t.Fatalf("sent = %v", sent)
	}
}

// TestCatchUp: the report of the last scheduled time is sent when missed,
// once, to users who existed during the week.
func TestCatchUp(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	old := f.user("old", longAgo)
	during := f.user("during", time.Date(2026, 11, 20, 9, 0, 0, 0, f.paris))
	newcomer := f.user("newcomer", time.Date(2026, 11, 24, 9, 0, 0, 0, f.paris))
	// Wednesday 25 Nov: the Monday 23 Nov 08:00 run was missed → 2026-W47.
	res, err := f.reporter.CatchUp(ctx)
	if err != nil || len(res) != 3 {
		t.Fatalf("catch-up %+v, %v", res, err)
	}
	for _, r := range res {
		want := StatusSent
		if r.UserID == newcomer.ID {
			want = StatusSkipped
		}
		if r.Week != "2026-W47" || r.Status != want {
			t.Fatalf("%s: %s %s, want 2026-W47 %s", r.Username, r.Week, r.Status, want)
		}
	}
	if res, _ := f.reporter.CatchUp(ctx); statuses(res)["old"] != StatusAlreadySent || statuses(res)["during"] != StatusAlreadySent {
		t.Fatalf("second catch-up: %+v", res)
	}
	if len(f.reports(old)) != 1 || len(f.reports(during)) != 1 || len(f.reports(newcomer)) != 0 {
		t.Fatal("catch-up sent the wrong reports")
	}
	// Monday 07:30 is before that day's schedule: the due week is still W47.
	f.clock.Set(time.Date(2026, 11, 30, 7, 30, 0, 0, f.paris))
	if res, _ := f.reporter.CatchUp(ctx); res[0].Week != "2026-W47" {
		t.Fatalf("before Monday 08:00 the due week is %s", res[0].Week)
	}
	f.clock.Set(time.Date(2026, 11, 30, 8, 0, 0, 0, f.paris))
	if res, _ := f.reporter.CatchUp(ctx); res[0].Week != "2026-W48" || statuses(res)["newcomer"] != StatusSent {
		t.Fatalf("at Monday 08:00: %+v", res)
	}
}

// TestCatchUp_TimeZone: at the same instant, Monday 08:00 has passed in
// Tokyo but not in New York, so the due weeks differ.
func TestCatchUp_TimeZone(t *testing.T) {
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC) // Mon 11:00 Tokyo, Sun 21:00 New York
	for tz, want := range map[string]string{"Asia/Tokyo": "2026-W47", "America/New_York": "2026-W46"} {
		f := newFixture(t, func(c *app.ReportConfig) { c.Timezone = tz })
		f.user("u", longAgo)
		f.clock.Set(at)
		res, err := f.reporter.CatchUp(context.Background())
		if err != nil || len(res) != 1 || res[0].Week != want {
			t.Fatalf("%s: %+v, %v; want %s", tz, res, err, want)
		}
	}
}

// TestRun_CatchesUpAtStart: Run sends the missed report at once and returns
// when its context ends.
func TestRun_CatchesUpAtStart(t *testing.T) {
	f := newFixture(t)
	u := f.user("alice", longAgo)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.reporter.Run(ctx); close(done) }()
	deadline := time.Now().Add(30 * time.Second)
	for len(f.reports(u)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no report 30 s after start")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if n := len(f.reports(u)); n != 1 {
		t.Fatalf("%d reports", n)
	}
}

func TestNew_BadConfig(t *testing.T) {
	for name, fn := range map[string]func(*app.ReportConfig){
		"Timezone":   func(c *app.ReportConfig) { c.Timezone = "Mars/Olympus" },
		"Schedule":   func(c *app.ReportConfig) { c.Schedule = "every monday" },
		"SixFields":  func(c *app.ReportConfig) { c.Schedule = "0 0 8 * * 1" },
		"OutOfRange": func(c *app.ReportConfig) { c.Schedule = "0 25 * * 1" },
	} {
		t.Run(name, func(t *testing.T) {
			c := app.DefaultConfig()
			fn(&c.Report)
			_, err := New(Deps{Config: c.Report})
			if app.ErrorKind(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), "report.") {
				t.Fatalf("New = %v, want EINVALID naming the key", err)
			}
		})
	}
}
