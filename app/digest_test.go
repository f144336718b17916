package app

import (
	"strings"
	"testing"
	"time"
)

func collecting(t *testing.T, zone string, ds ...TypeDigest) *QuietHours {
	t.Helper()
	q := &QuietHours{Timezone: zone, Digests: ds}
	if err := q.Resolve(time.UTC); err != nil {
		t.Fatal(err)
	}
	return q
}

// TestTypeDigest_Next: periods are aligned on midnight in the zone; a
// period that does not divide the day ends at midnight; daily is the next
// HH:MM; other types are not collected.
func TestTypeDigest_Next(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	q := collecting(t, "Europe/Paris", TypeDigest{Type: "job_completed", EveryMinutes: 30},
		TypeDigest{Type: "quota_warning", DailyAt: "08:00"}, TypeDigest{Type: "message", EveryMinutes: 420})
	at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, paris) }
	for _, tc := range []struct {
		typ      string
		now, due time.Time
	}{
		{"job_completed", at(4, 10, 5), at(4, 10, 30)},
		{"job_completed", at(4, 10, 30), at(4, 11, 0)},
		{"job_completed", at(4, 23, 50), at(5, 0, 0)},
		{"quota_warning", at(4, 7, 59), at(4, 8, 0)},
		{"quota_warning", at(4, 8, 0), at(5, 8, 0)},
		{"message", at(4, 22, 0), at(5, 0, 0)}, // 21:00 + 7 h passes midnight
		{"message", at(4, 1, 0), at(4, 7, 0)},
	} {
		due, ok := q.Collects(tc.typ, tc.now)
		if !ok || !due.Equal(tc.due) {
			t.Errorf("%s at %s: due %s (%v), want %s", tc.typ, tc.now, due.In(paris), ok, tc.due)
		}
	}
	if _, ok := q.Collects("job_failed", at(4, 10, 0)); ok {
		t.Error("job_failed is not collected")
	}
	var none *QuietHours
	if _, ok := none.Collects("job_completed", at(4, 10, 0)); ok {
		t.Error("no setting collects nothing")
	}
}

// TestTypeDigest_DST: daily at 08:00 stays 08:00 on the wall clock across
// the change (23 or 25 hours apart), and the hourly period after 01:00 on
// the night clocks go forward is 03:00.
func TestTypeDigest_DST(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	q := collecting(t, "Europe/Paris", TypeDigest{Type: "quota_warning", DailyAt: "08:00"}, TypeDigest{Type: "job_completed", EveryMinutes: 60})
	first := time.Date(2026, 3, 28, 8, 0, 0, 0, paris)
	next, _ := q.Collects("quota_warning", first)
	if next.Sub(first) != 23*time.Hour || next.In(paris).Hour() != 8 {
		t.Errorf("after %s: %s", first, next.In(paris))
	}
	first = time.Date(2026, 10, 24, 8, 0, 0, 0, paris)
	if next, _ = q.Collects("quota_warning", first); next.Sub(first) != 25*time.Hour {
		t.Errorf("after %s: %s", first, next.In(paris))
	}
	night := time.Date(2026, 3, 29, 1, 30, 0, 0, paris)
	if next, _ = q.Collects("job_completed", night); next.Sub(night) != 30*time.Minute || next.In(paris).Hour() != 3 {
		t.Errorf("after %s: %s", night, next.In(paris))
	}
	// The repeated hour of the change back: the first 02:30 (CEST) waits
	// for 03:00 CET, 90 minutes later; the second (CET) 30 minutes.
	for _, tc := range []struct {
		back time.Time
		wait time.Duration
	}{{time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), 90 * time.Minute}, {time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), 30 * time.Minute}} {
		if next, _ = q.Collects("job_completed", tc.back); next.Sub(tc.back) != tc.wait {
			t.Errorf("after %s: %s", tc.back.In(paris), next.In(paris))
		}
	}
	back := time.Date(2026, 10, 25, 1, 59, 0, 0, time.UTC)
	if next, _ = q.Collects("job_completed", back); !next.After(back) || next.Sub(back) > time.Hour {
		t.Errorf("after %s: %s", back.In(paris), next.In(paris))
	}
}

func TestValidateTypeDigests(t *testing.T) {
	types, err := NewTypes(nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		ds   []TypeDigest
		want string
	}{
		"UnknownType": {[]TypeDigest{{Type: "nope", EveryMinutes: 30}}, "nope"},
		"DigestType":  {[]TypeDigest{{Type: QuietDigestType, EveryMinutes: 30}}, QuietDigestType},
		"Both":        {[]TypeDigest{{Type: "job_completed", EveryMinutes: 30, DailyAt: "08:00"}}, "either"},
		"Neither":     {[]TypeDigest{{Type: "job_completed"}}, "either"},
		"TooShort":    {[]TypeDigest{{Type: "job_completed", EveryMinutes: 1}}, "every_minutes"},
		"TooLong":     {[]TypeDigest{{Type: "job_completed", EveryMinutes: 721}}, "every_minutes"},
		"BadHHMM":     {[]TypeDigest{{Type: "job_completed", DailyAt: "8:00"}}, "daily_at"},
		"Twice":       {[]TypeDigest{{Type: "job_completed", EveryMinutes: 30}, {Type: "job_completed", DailyAt: "08:00"}}, "two"},
	} {
		t.Run(name, func(t *testing.T) {
			err := types.ValidateTypeDigests(tc.ds)
			if ErrorKind(err) != EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want EINVALID about %s", err, tc.want)
			}
		})
	}
	if err := types.ValidateTypeDigests([]TypeDigest{{Type: "job_completed", EveryMinutes: 60}, {Type: "message", DailyAt: "18:30"}}); err != nil {
		t.Fatal(err)
	}
}
