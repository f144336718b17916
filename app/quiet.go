package app

import (
	"context"
	"fmt"
	"time"
)

// QuietDigestType is the built-in type of the digest sent at the end of a
// quiet-hours window (app/quiet); quiet hours never hold it.
const QuietDigestType = "quiet_digest"

// MaxQuietWindows bounds a user's windows.
const MaxQuietWindows = 14

// weekdays are the day names of a window, Sunday first as time.Weekday.
var weekdays = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// QuietWindow is one weekly window in the user's zone: it starts at Start
// on each of Days ("mon" … "sun") and ends at End, on the next day when End
// is not after Start (22:00–07:00 crosses midnight). Times are HH:MM in
// the zone's wall clock, so across a daylight saving change a window lasts
// an hour more or less, like the weekly report's calendar weeks.
type QuietWindow struct {
	Days  []string `json:"days"`
	Start string   `json:"start"`
	End   string   `json:"end"`
}

// QuietHours is a user's quiet-hours setting. Timezone "" is the server's
// zone (report.timezone). Inside a window, notifications below Breakthrough
// are held back from toasts, Web Push, e-mail and the webhooks that follow
// their owner's quiet hours; Breakthrough "" is LevelError.
type QuietHours struct {
	Timezone     string        `json:"timezone"`
	Windows      []QuietWindow `json:"windows"`
	Breakthrough Level         `json:"breakthrough"`
	// Digests are the user's type digests (TypeDigest), kept and set
	// apart from the quiet hours themselves; they share the zone.
	Digests []TypeDigest `json:"-"`

	loc *time.Location // the resolved zone, set by Resolve
}

// Normalize fills the defaults: Breakthrough error, no windows.
func (q *QuietHours) Normalize() {
	if q.Breakthrough == "" {
		q.Breakthrough = LevelError
	}
	if q.Windows == nil {
		q.Windows = []QuietWindow{}
	}
}

// Validate checks every field; each problem is EINVALID naming it.
func (q *QuietHours) Validate() error {
	if q.Timezone != "" {
		if _, err := LoadZone(q.Timezone); err != nil {
			return Errorf(EINVALID, "Field timezone: %q is not a known time zone (examples: Europe/Paris, UTC, Local).", q.Timezone)
		}
	}
	if !q.Breakthrough.Valid() {
		return Errorf(EINVALID, "Field breakthrough must be info, warning or error, not %q.", q.Breakthrough)
	}
	if len(q.Windows) > MaxQuietWindows {
		return Errorf(EINVALID, "Field windows holds more than %d windows.", MaxQuietWindows)
	}
	for i, w := range q.Windows {
		if err := w.validate(); err != nil {
			return Errorf(EINVALID, "Window %d: %s", i+1, err)
		}
	}
	return nil
}

func (w QuietWindow) validate() error {
	if len(w.Days) == 0 {
		return fmt.Errorf("field days must name at least one day (mon, tue, wed, thu, fri, sat, sun)")
	}
	seen := map[string]bool{}
	for _, d := range w.Days {
		if dayIndex(d) < 0 {
			return fmt.Errorf("unknown day %q; days are mon, tue, wed, thu, fri, sat, sun", d)
		}
		if seen[d] {
			return fmt.Errorf("day %q is named twice", d)
		}
		seen[d] = true
	}
	start, err := parseClock("start", w.Start)
	if err != nil {
		return err
	}
	end, err := parseClock("end", w.End)
	if err != nil {
		return err
	}
	if start == end {
		return fmt.Errorf("start and end are both %s; a window must not be empty", w.Start)
	}
	return nil
}

func dayIndex(d string) int {
	for i, name := range weekdays {
		if name == d {
			return i
		}
	}
	return -1
}

// parseClock reads "HH:MM" (00:00 to 23:59) as minutes after midnight.
func parseClock(field, s string) (int, error) {
	bad := len(s) != 5 || s[2] != ':'
	for i := 0; !bad && i < 5; i++ {
		bad = i != 2 && (s[i] < '0' || s[i] > '9')
	}
	if bad {
		return 0, fmt.Errorf("field %s must be HH:MM such as 22:00, not %q", field, s)
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	if h > 23 || m > 59 {
		return 0, fmt.Errorf("field %s must be HH:MM such as 22:00, not %q", field, s)
	}
	return h*60 + m, nil
}

// Resolve validates q and fixes its zone: q.Timezone, or def when "".
func (q *QuietHours) Resolve(def *time.Location) error {
	q.Normalize()
	if err := q.Validate(); err != nil {
		return err
	}
	q.loc = def
	if q.Timezone != "" {
		q.loc, _ = LoadZone(q.Timezone)
	}
	return nil
}

// Location is the resolved zone (UTC before Resolve).
func (q *QuietHours) Location() *time.Location {
	if q.loc == nil {
		return time.UTC
	}
	return q.loc
}

// Window returns the end of the window holding t (the latest end when
// windows overlap) and whether one does.
func (q *QuietHours) Window(t time.Time) (end time.Time, ok bool) {
	local := t.In(q.Location())
	for _, w := range q.Windows {
		start, _ := parseClock("start", w.Start)
		stop, _ := parseClock("end", w.End)
		// A window holding t started today or, crossing midnight, yesterday.
		for back := 0; back <= 1; back++ {
			day := local.AddDate(0, 0, -back)
			if !w.on(day.Weekday()) {
				continue
			}
			from := q.at(day, start, 0)
			to := q.at(day, stop, 0)
			if stop <= start {
				to = q.at(day, stop, 1)
			}
			if !t.Before(from) && t.Before(to) && to.After(end) {
				end, ok = to, true
			}
		}
	}
	return end, ok
}

// at is minutes after midnight of day (plus days) on the zone's wall clock.
func (q *QuietHours) at(day time.Time, minutes, days int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day()+days, minutes/60, minutes%60, 0, 0, q.Location())
}

func (w QuietWindow) on(d time.Weekday) bool {
	for _, name := range w.Days {
		if name == weekdays[d] {
			return true
		}
	}
	return false
}

// Holds reports whether a notification of level created at t is held back
// from the user's toasts, push, e-mail and quiet webhooks, and until when:
// t is inside a window and level is below the breakthrough level.
func (q *QuietHours) Holds(level Level, t time.Time) (until time.Time, held bool) {
	if q == nil || levelRank(level) >= levelRank(q.Breakthrough) {
		return time.Time{}, false
	}
	return q.Window(t)
}

func levelRank(l Level) int {
	switch l {
	case LevelWarning:
		return 1
	case LevelError:
		return 2
	}
	return 0
}

// QuietHeld is one notification held back by quiet hours, waiting for the
// digest at Until, the end of its window — or, with Digest set (a type
// name), collected for that type's digest due at Until.
type QuietHeld struct {
	NotificationID string
	UserID         string
	Digest         string
	Level          Level
	Until          time.Time
	// Title is the notification's, when a digest reads it ("" once deleted).
	Title string
}

// QuietDigest is what one digest reports: the held notifications of one
// user's window (Digest ""), or of one type's period (Digest the type),
// oldest first.
type QuietDigest struct {
	UserID string
	Digest string
	Until  time.Time
	Held   []QuietHeld
}

// QuietRules is what the dispatcher asks of quiet hours: each recipient's
// resolved setting, and a call after a dispatch that held something.
type QuietRules interface {
	// QuietHoursFor returns the resolved quiet hours of the users that
	// have windows; the others are absent.
	QuietHoursFor(ctx context.Context, userIDs []string) (map[string]*QuietHours, error)
	// Held says that notifications were held until the given window end.
	Held(until time.Time)
}

// QuietStore keeps quiet-hours settings, held notifications and which
// windows were digested.
type QuietStore interface {
	// QuietHours returns userID's stored setting; ok false when none.
	QuietHours(ctx context.Context, userID string) (q QuietHours, ok bool, err error)
	// QuietHoursFor returns the stored settings of several users.
	QuietHoursFor(ctx context.Context, userIDs []string) (map[string]QuietHours, error)
	// SetQuietHours saves userID's setting, not its Digests. ENOTFOUND.
	SetQuietHours(ctx context.Context, userID string, q QuietHours) error
	// SetTypeDigests saves userID's type digests. ENOTFOUND.
	SetTypeDigests(ctx context.Context, userID string, ds []TypeDigest) error
	// NextQuietDigest returns the earliest Until of a held notification.
	NextQuietDigest(ctx context.Context) (time.Time, bool, error)
	// ClaimQuietDigests returns the digests due at now (Until at or before
	// it), marking each window (or type period) digested and forgetting its
	// held rows in one write: each is claimed once.
	ClaimQuietDigests(ctx context.Context, now time.Time) ([]QuietDigest, error)
}
