package email_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/report"
	"github.com/belfry/belfry/db"
)

// TestWeeklyReportByEmailOnce: the weekly report (weekly_report_email is on
// by default) arrives by e-mail once per user and week, even when the week
// is run again after a restart.
func TestWeeklyReportByEmailOnce(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(time.Now().Add(8 * 24 * time.Hour)) // alice (created on the wall clock) existed during the previous week
	run := func() {
		t.Helper()
		r, err := report.New(report.Deps{Config: app.ReportConfig{Enabled: true, Schedule: "0 8 * * 1", Timezone: "UTC"},
			Dispatcher: f.app.Dispatcher, Users: f.app.Users, Store: db.NewReportStore(f.app.DB), Clock: f.clock})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := r.RunWeek(context.Background(), r.PreviousWeek(), "alice", false); err != nil || len(res) != 1 {
			t.Fatal(res, err)
		}
	}
	run()
	run()
	if err := f.app.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.start()
	f.cookie = f.app.Session(f.alice)
	run()
	f.waitEmail(1, app.EmailSent)
	msgs := f.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d e-mails after three runs of the week, want 1", len(msgs))
	}
	if p := parse(t, msgs[0]); !strings.Contains(p.header.Get("Subject"), "eekly") || !strings.Contains(p.text, "weekly_report") {
		t.Fatalf("weekly report e-mail: subject %q\n%s", p.header.Get("Subject"), p.text)
	}
}
