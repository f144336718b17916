package app

import (
	"strings"
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func nightly(t *testing.T, zone string, days ...string) *QuietHours {
	t.Helper()
	q := &QuietHours{Timezone: zone, Windows: []QuietWindow{{Days: days, Start: "22:00", End: "07:00"}}}
	if err := q.Resolve(time.UTC); err != nil {
		t.Fatal(err)
	}
	return q
}

// TestQuietWindow_AcrossMidnight: a Friday 22:00–07:00 window holds Friday
// night and Saturday morning, not Friday evening nor Saturday 07:00.
func TestQuietWindow_AcrossMidnight(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	q := nightly(t, "Europe/Paris", "fri")
	end := time.Date(2026, 12, 5, 7, 0, 0, 0, paris)
	for _, tc := range []struct {
		at   time.Time
		held bool
	}{
		{time.Date(2026, 12, 4, 21, 59, 0, 0, paris), false},
		{time.Date(2026, 12, 4, 22, 0, 0, 0, paris), true},
		{time.Date(2026, 12, 5, 3, 0, 0, 0, paris), true},
		{time.Date(2026, 12, 5, 6, 59, 59, 0, paris), true},
		{end, false},
		{time.Date(2026, 12, 5, 23, 0, 0, 0, paris), false}, // Saturday night: no window
		{time.Date(2026, 12, 4, 2, 0, 0, 0, paris), false},  // Friday early: Thursday has none
	} {
		until, held := q.Holds(LevelInfo, tc.at)
		if held != tc.held || (held && !until.Equal(end)) {
			t.Errorf("at %s: held %v until %s, want %v", tc.at, held, until, tc.held)
		}
	}
}

// TestQuietWindow_DST: windows are wall-clock times, like the weekly
// report's weeks: the night clocks go forward lasts 8 hours, the night
// they go back 10.
func TestQuietWindow_DST(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	q := nightly(t, "Europe/Paris", "sat")
	for _, tc := range []struct {
		name  string
		start time.Time
		hours float64
	}{
		{"SpringForward", time.Date(2026, 3, 28, 22, 0, 0, 0, paris), 8},
		{"FallBack", time.Date(2026, 10, 24, 22, 0, 0, 0, paris), 10},
		{"Winter", time.Date(2026, 12, 5, 22, 0, 0, 0, paris), 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			end, ok := q.Window(tc.start.Add(time.Minute))
			if !ok || end.Sub(tc.start).Hours() != tc.hours || end.In(paris).Hour() != 7 {
				t.Fatalf("window from %s ends %s (%v), want 07:00 after %v hours", tc.start, end.In(paris), ok, tc.hours)
			}
			if _, ok := q.Window(end); ok {
				t.Fatal("07:00 itself is outside")
			}
		})
	}
}

// TestQuietHours_Zones: one instant is inside a New York night and outside
// a Tokyo one; the server's zone applies when the user set none.
func TestQuietHours_Zones(t *testing.T) {
	at := time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC) // Fri 23:00 New York, Sat 13:00 Tokyo
	if _, ok := nightly(t, "America/New_York", "fri").Window(at); !ok {
		t.Error("23:00 in New York is quiet")
	}
	if _, ok := nightly(t, "Asia/Tokyo", "fri", "sat").Window(at); ok {
		t.Error("13:00 in Tokyo is not quiet")
	}
	q := &QuietHours{Windows: []QuietWindow{{Days: []string{"fri"}, Start: "22:00", End: "07:00"}}}
	if err := q.Resolve(mustZone(t, "America/New_York")); err != nil {
		t.Fatal(err)
	}
	if _, ok := q.Window(at); !ok || q.Location().String() != "America/New_York" {
		t.Error("the default zone is the server's")
	}
}

// TestQuietHours_Breakthrough: by default errors go through and warnings
// are held; with breakthrough warning, warnings go through too.
func TestQuietHours_Breakthrough(t *testing.T) {
	q := nightly(t, "UTC", "fri")
	at := time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC)
	if q.Breakthrough != LevelError {
		t.Fatalf("default breakthrough %q", q.Breakthrough)
	}
	for level, want := range map[Level]bool{LevelInfo: true, LevelWarning: true, LevelError: false} {
		if _, held := q.Holds(level, at); held != want {
			t.Errorf("%s held %v, want %v", level, held, want)
		}
	}
	q.Breakthrough = LevelWarning
	if _, held := q.Holds(LevelWarning, at); held {
		t.Error("a warning breaks through at breakthrough warning")
	}
	var none *QuietHours
	if _, held := none.Holds(LevelInfo, at); held {
		t.Error("no quiet hours hold nothing")
	}
}

func TestQuietHours_Validate(t *testing.T) {
	w := func(days []string, start, end string) []QuietWindow {
		return []QuietWindow{{Days: days, Start: start, End: end}}
	}
	fri := []string{"fri"}
	for name, tc := range map[string]struct {
		q    QuietHours
		want string
	}{
		"BadZone":      {QuietHours{Timezone: "Mars/Olympus", Windows: w(fri, "22:00", "07:00")}, "timezone"},
		"BadStart":     {QuietHours{Windows: w(fri, "25:00", "07:00")}, "start"},
		"BadEndShape":  {QuietHours{Windows: w(fri, "22:00", "7:00")}, "end"},
		"BadMinutes":   {QuietHours{Windows: w(fri, "22:60", "07:00")}, "start"},
		"EmptyDays":    {QuietHours{Windows: w(nil, "22:00", "07:00")}, "days"},
		"UnknownDay":   {QuietHours{Windows: w([]string{"friday"}, "22:00", "07:00")}, "friday"},
		"TwiceDay":     {QuietHours{Windows: w([]string{"fri", "fri"}, "22:00", "07:00")}, "twice"},
		"EmptyWindow":  {QuietHours{Windows: w(fri, "22:00", "22:00")}, "empty"},
		"UnknownLevel": {QuietHours{Breakthrough: "critical"}, "breakthrough"},
	} {
		t.Run(name, func(t *testing.T) {
			err := tc.q.Resolve(time.UTC)
			if ErrorKind(err) != EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want EINVALID about %s", err, tc.want)
			}
		})
	}
	ok := QuietHours{Timezone: "Local", Windows: w([]string{"mon", "sun"}, "00:00", "23:59")}
	if err := ok.Resolve(time.UTC); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkQuietHoursHolds is the rule's cost per recipient and dispatch:
// a user with a weekday night window and a weekend one, inside a window.
func BenchmarkQuietHoursHolds(b *testing.B) {
	q := &QuietHours{Timezone: "Europe/Paris", Windows: []QuietWindow{
		{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Start: "22:00", End: "07:00"},
		{Days: []string{"sat", "sun"}, Start: "23:00", End: "09:30"}}}
	if err := q.Resolve(time.UTC); err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, held := q.Holds(LevelInfo, at); !held {
			b.Fatal("not held")
		}
	}
}
