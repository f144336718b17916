package app

import (
	"fmt"
	"time"
)

// Limits of a type digest's period.
const (
	MinDigestMinutes = 5
	MaxDigestMinutes = 720
)

// TypeDigest collects one notification type of a user and delivers it as
// one digest instead of one by one, on every channel but in-app: every
// EveryMinutes (aligned on midnight in the user's zone: every 30 minutes is
// :00 and :30; 60 is hourly), or daily at DailyAt (HH:MM in the zone).
// Exactly one of the two is set.
type TypeDigest struct {
	Type         string `json:"type"`
	EveryMinutes int    `json:"every_minutes,omitempty"`
	DailyAt      string `json:"daily_at,omitempty"`
}

// ValidateTypeDigests checks a user's digests against the known types;
// each problem is EINVALID naming the type or field.
func (t *Types) ValidateTypeDigests(ds []TypeDigest) error {
	seen := map[string]bool{}
	for _, d := range ds {
		if _, ok := t.byName[d.Type]; !ok || d.Type == QuietDigestType {
			return Errorf(EINVALID, "Unknown notification type %q for a digest.", d.Type)
		}
		if seen[d.Type] {
			return Errorf(EINVALID, "Type %q has two digests.", d.Type)
		}
		seen[d.Type] = true
		switch {
		case (d.EveryMinutes != 0) == (d.DailyAt != ""):
			return Errorf(EINVALID, "Digest of %q: give either every_minutes or daily_at.", d.Type)
		case d.DailyAt != "":
			if _, err := parseClock("daily_at", d.DailyAt); err != nil {
				return Errorf(EINVALID, "Digest of %q: %s.", d.Type, err)
			}
		case d.EveryMinutes < MinDigestMinutes || d.EveryMinutes > MaxDigestMinutes:
			return Errorf(EINVALID, "Digest of %q: every_minutes must be %d to %d.", d.Type, MinDigestMinutes, MaxDigestMinutes)
		}
	}
	return nil
}

// next returns the first delivery time of d after t in loc, on the wall
// clock: across a daylight saving change a period is an hour longer or
// shorter, like the quiet-hours windows and the weekly report's weeks.
func (d TypeDigest) next(t time.Time, loc *time.Location) time.Time {
	local := t.In(loc)
	if d.DailyAt != "" {
		at, _ := parseClock("daily_at", d.DailyAt)
		for days := 0; ; days++ {
			if next := time.Date(local.Year(), local.Month(), local.Day()+days, at/60, at%60, 0, 0, loc); next.After(t) {
				return next
			}
		}
	}
	minutes := local.Hour()*60 + local.Minute()
	next := time.Date(local.Year(), local.Month(), local.Day(), 0, (minutes/d.EveryMinutes+1)*d.EveryMinutes, 0, 0, loc)
	if midnight := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, loc); next.After(midnight) {
		next = midnight // a period that does not divide the day ends at midnight
	}
	if !next.After(t) { // the repeated hour of a change back
		next = next.Add(time.Duration(d.EveryMinutes) * time.Minute)
	}
	return next
}

// Collects reports whether a notification of typ created at t waits for
// the user's digest of typ, and until when.
func (q *QuietHours) Collects(typ string, t time.Time) (until time.Time, collected bool) {
	if q == nil {
		return time.Time{}, false
	}
	for _, d := range q.Digests {
		if d.Type == typ {
			return d.next(t, q.Location()), true
		}
	}
	return time.Time{}, false
}

// String describes the period: "every 30 minutes", "hourly", "daily at 08:00".
func (d TypeDigest) String() string {
	switch {
	case d.DailyAt != "":
		return "daily at " + d.DailyAt
	case d.EveryMinutes == 60:
		return "hourly"
	}
	return fmt.Sprintf("every %d minutes", d.EveryMinutes)
}
