package report

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/belfry/belfry/app"
)

// Week is an ISO 8601 week: weeks start on Monday, and week 1 is the one
// holding the year's first Thursday, so 2021-01-03 belongs to 2020-W53.
type Week struct {
	Year int
	Num  int
}

var weekPattern = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)

// ParseWeek reads "2026-W47". Errors are EINVALID, including week 53 of a
// year that has 52.
func ParseWeek(s string) (Week, error) {
	m := weekPattern.FindStringSubmatch(s)
	if m == nil {
		return Week{}, app.Errorf(app.EINVALID, "Week %q must look like 2026-W47.", s)
	}
	y, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[2])
	w := Week{Year: y, Num: n}
	if n < 1 || n > 53 || WeekOf(w.monday(time.UTC), time.UTC) != w {
		return Week{}, app.Errorf(app.EINVALID, "Week %q does not exist: %d has weeks 01 to %02d.", s, y, weeksIn(y))
	}
	return w, nil
}

// WeekOf returns the ISO week holding t in loc.
func WeekOf(t time.Time, loc *time.Location) Week {
	y, n := t.In(loc).ISOWeek()
	return Week{Year: y, Num: n}
}

// String formats the week as "2026-W47".
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Num) }

// Bounds returns the week's first instant (Monday 00:00 in loc) and the
// next week's. Across a daylight saving change the week lasts 167 or 169
// hours: the bounds are calendar days, not 7×24 hours.
func (w Week) Bounds(loc *time.Location) (start, end time.Time) {
	start = w.monday(loc)
	return start, start.AddDate(0, 0, 7)
}

// Prev returns the week before w.
func (w Week) Prev() Week {
	return WeekOf(w.monday(time.UTC).AddDate(0, 0, -7), time.UTC)
}

// monday returns Monday 00:00 of w in loc: week 1 holds January 4th.
func (w Week) monday(loc *time.Location) time.Time {
	jan4 := time.Date(w.Year, time.January, 4, 0, 0, 0, 0, loc)
	back := (int(jan4.Weekday()) + 6) % 7 // days since Monday
	return time.Date(w.Year, time.January, 4-back+7*(w.Num-1), 0, 0, 0, 0, loc)
}

// weeksIn returns how many ISO weeks year has: 28 December is always in
// the last one.
func weeksIn(year int) int {
	_, n := time.Date(year, time.December, 28, 12, 0, 0, 0, time.UTC).ISOWeek()
	return n
}
