package heartbeat_test

import (
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app/clock/clocktest"
)

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestCronDeadlinesAcrossDST: a cron check expects its next slot in its
// time zone's wall clock. The slot that does not exist on a spring-forward
// day is skipped; the one that happens twice on a fall-back day is
// expected once; a check without a time zone follows the server's.
func TestCronDeadlinesAcrossDST(t *testing.T) {
	for _, tc := range []struct {
		name, input, server string
		ping                string // when the success arrives (UTC)
		deadline            string // the deadline it sets (UTC): next slot + grace
	}{
		// 02:30 every day in Paris; 29 March 2026 goes from 02:00 to 03:00.
		{"ParisBeforeSpringForward", `{"name":"b","schedule":"30 2 * * *","timezone":"Europe/Paris","grace_seconds":600}`, "UTC",
			"2026-03-28T01:30:00Z", "2026-03-30T00:40:00Z"},
		// cron runs the skipped job at 03:00 CEST: it counts, the next slot is the day after.
		{"ParisSkippedSlotRunLate", `{"name":"b","schedule":"30 2 * * *","timezone":"Europe/Paris","grace_seconds":600}`, "UTC",
			"2026-03-29T01:00:00Z", "2026-03-30T00:40:00Z"},
		// 01:30 every day in New York; 1 November 2026 repeats 01:00-02:00.
		{"NewYorkFallBack", `{"name":"b","schedule":"30 1 * * *","timezone":"America/New_York","grace_seconds":600}`, "UTC",
			"2026-11-01T05:30:00Z", "2026-11-02T06:40:00Z"},
		{"NewYorkSummer", `{"name":"b","schedule":"30 1 * * *","timezone":"America/New_York","grace_seconds":600}`, "UTC",
			"2026-07-01T05:30:00Z", "2026-07-02T05:40:00Z"},
		// Hourly across the spring-forward hour: 01:00 CET is followed by 03:00 CEST.
		{"ParisHourly", `{"name":"b","schedule":"0 * * * *","timezone":"Europe/Paris","grace_seconds":0}`, "UTC",
			"2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z"},
		// No time zone: the server's (report.timezone), here Tokyo's 09:00.
		{"ServerZone", `{"name":"b","schedule":"0 9 * * *","grace_seconds":60}`, "Asia/Tokyo",
			"2026-05-01T01:00:00Z", "2026-05-02T00:01:00Z"},
		// A period is elapsed time, not wall clock: 24 hours across the change.
		{"PeriodIsElapsedTime", `{"name":"b","period_seconds":86400,"grace_seconds":0}`, "Europe/Paris",
			"2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixtureAt(t, clocktest.At(at(t, tc.ping)), tc.server)
			hb := f.create(tc.input)
			f.pingOK(hb.PingURL)
			v, _ := f.get(hb.ID)
			if v.Deadline == nil || !v.Deadline.Equal(at(t, tc.deadline)) {
				t.Fatalf("deadline %v, want %s", v.Deadline, tc.deadline)
			}
			if tc.server != "UTC" && !strings.Contains(tc.input, "timezone") && v.Timezone != tc.server {
				t.Fatalf("time zone %q, want the server's %q", v.Timezone, tc.server)
			}
		})
	}
}

// TestCronCheckGoesLate: a cron check whose slot passes without a success
// raises the alert after the grace, saying what it expected.
func TestCronCheckGoesLate(t *testing.T) {
	f := newFixtureAt(t, clocktest.At(at(t, "2026-03-28T01:30:00Z")), "UTC")
	hb := f.create(`{"name":"Nightly","schedule":"30 2 * * *","timezone":"Europe/Paris","grace_seconds":60}`)
	f.pingOK(hb.PingURL)
	f.clock.Set(at(t, "2026-03-30T00:30:59Z"))
	f.settle()
	if len(f.alerts()) != 0 {
		t.Fatal("late within the grace time")
	}
	got := f.waitAlerts(hb.ID, 1)
	if !strings.Contains(got[0].Body, "schedule 30 2 * * *") || !strings.Contains(got[0].Body, "2026-03-30 02:31:00 CEST") {
		t.Fatalf("the alert's body: %q", got[0].Body)
	}
}
