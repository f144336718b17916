package report

import (
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseWeek(t *testing.T) {
	for _, s := range []string{"2026-W47", "2026-W01", "2026-W53", "2020-W53", "2027-W52"} {
		w, err := ParseWeek(s)
		if err != nil || w.String() != s {
			t.Errorf("ParseWeek(%q) = %v, %v", s, w, err)
		}
	}
	for _, s := range []string{"2027-W53", "2026-W54", "2026-W00", "2026-47", "26-W01", "2026-w47", "2026-W4", "", "2026-W47 "} {
		if _, err := ParseWeek(s); app.ErrorKind(err) != app.EINVALID {
			t.Errorf("ParseWeek(%q) = %v, want EINVALID", s, err)
		}
	}
}

func TestWeekBoundaries(t *testing.T) {
	utc := time.UTC
	paris := mustLoad(t, "Europe/Paris")
	newYork := mustLoad(t, "America/New_York")
	tokyo := mustLoad(t, "Asia/Tokyo")
	for _, tc := range []struct {
		name       string
		week       string
		loc        *time.Location
		start, end string // RFC 3339 in UTC
		hours      int
	}{
		{"UTC", "2026-W47", utc, "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z", 168},
		{"ParisWinter", "2026-W47", paris, "2026-11-15T23:00:00Z", "2026-11-22T23:00:00Z", 168},
		// Clocks go forward on Sunday 29 March 2026 in Europe.
		{"ParisSpringForward", "2026-W13", paris, "2026-03-22T23:00:00Z", "2026-03-29T22:00:00Z", 167},
		// And back on Sunday 1 November 2026 in the United States.
		{"NewYorkFallBack", "2026-W44", newYork, "2026-10-26T04:00:00Z", "2026-11-02T05:00:00Z", 169},
		{"Tokyo", "2026-W47", tokyo, "2026-11-15T15:00:00Z", "2026-11-22T15:00:00Z", 168},
		// Week 1 of 2027 starts in 2026; week 53 of 2020 ends in 2021.
		{"YearStart", "2027-W01", utc, "2027-01-04T00:00:00Z", "2027-01-11T00:00:00Z", 168},
		{"Week53", "2020-W53", utc, "2020-12-28T00:00:00Z", "2021-01-04T00:00:00Z", 168},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := ParseWeek(tc.week)
			if err != nil {
				t.Fatal(err)
			}
			start, end := w.Bounds(tc.loc)
			if got := start.UTC().Format(time.RFC3339); got != tc.start {
				t.Errorf("start = %s, want %s", got, tc.start)
			}
			if got := end.UTC().Format(time.RFC3339); got != tc.end {
				t.Errorf("end = %s, want %s", got, tc.end)
			}
			if h := int(end.Sub(start).Hours()); h != tc.hours {
				t.Errorf("the week lasts %d hours, want %d", h, tc.hours)
			}
			if WeekOf(start, tc.loc) != w || WeekOf(end.Add(-time.Nanosecond), tc.loc) != w || WeekOf(end, tc.loc) == w {
				t.Errorf("WeekOf disagrees with the bounds of %s", w)
			}
		})
	}
}

// TestWeekOfAcrossZones: one instant, Sunday night in UTC, is already
// Monday of the next week in Tokyo and still Sunday in New York.
func TestWeekOfAcrossZones(t *testing.T) {
	at := time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC)
	for name, want := range map[string]string{"UTC": "2026-W47", "Asia/Tokyo": "2026-W48", "America/New_York": "2026-W47", "Europe/Paris": "2026-W48"} {
		if got := WeekOf(at, mustLoad(t, name)).String(); got != want {
			t.Errorf("WeekOf in %s = %s, want %s", name, got, want)
		}
	}
	if p := (Week{2027, 1}).Prev(); p.String() != "2026-W53" {
		t.Errorf("week before 2027-W01 = %s", p)
	}
	if p := (Week{2026, 1}).Prev(); p.String() != "2025-W52" {
		t.Errorf("week before 2026-W01 = %s", p)
	}
}
