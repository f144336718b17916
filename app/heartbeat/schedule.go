package heartbeat

import (
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/go-co-op/gocron/v2"
)

// location returns the time zone of h: its own, or the server's.
func (s *Service) location(h *app.Heartbeat) (*time.Location, error) {
	name := h.Timezone
	if name == "" {
		name = s.d.Timezone
	}
	loc, err := app.LoadZone(name)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "Field timezone: %s", app.ErrorMessage(err))
	}
	return loc, nil
}

// schedule returns the cron schedule of h (nil for a period check), parsed
// like the weekly report's (gocron's standard 5-field parser, in the
// check's time zone).
func (s *Service) schedule(h *app.Heartbeat) (gocron.Cron, error) {
	if h.Schedule == "" {
		return nil, nil
	}
	loc, err := s.location(h)
	if err != nil {
		return nil, err
	}
	c := gocron.NewDefaultCron(false)
	up := strings.ToUpper(h.Schedule)
	if strings.HasPrefix(up, "TZ=") || strings.HasPrefix(up, "CRON_TZ=") || c.IsValid(h.Schedule, loc, s.now()) != nil {
		return nil, app.Errorf(app.EINVALID, "Field schedule %q is not a 5-field cron expression (minute hour day month weekday), e.g. \"0 3 * * *\"; set the time zone in timezone.", h.Schedule)
	}
	return c, nil
}

// check validates what an owner sets on h, schedule and time zone
// included.
func (s *Service) check(h *app.Heartbeat) error {
	h.Normalize()
	if err := h.Validate(s.d.Types); err != nil {
		return err
	}
	if _, err := s.location(h); err != nil {
		return err
	}
	_, err := s.schedule(h)
	return err
}

// due returns when h expects its next success after one at last: the end
// of its period, or its next cron slot. Across daylight saving changes the
// slots are wall-clock times: one that does not exist on a spring-forward
// day (02:30 in Paris on 29 March 2026) is skipped, and one that happens
// twice on a fall-back day (01:30 in New York on 1 November 2026) is
// expected once, at its first occurrence, as cron runs it once.
func (s *Service) due(h *app.Heartbeat, last time.Time) (time.Time, error) {
	c, err := s.schedule(h)
	if err != nil || c == nil {
		return last.Add(h.Period), err
	}
	loc, err := s.location(h)
	if err != nil {
		return time.Time{}, err
	}
	next := c.Next(last).In(loc)
	if repeated(next) {
		next = c.Next(next)
	}
	return next.UTC(), nil
}

// repeated reports whether t's wall-clock time already happened earlier
// that day, because the clocks went back in between.
func repeated(t time.Time) bool {
	_, now := t.Zone()
	_, before := t.Add(-12 * time.Hour).Zone()
	if before <= now {
		return false
	}
	const wall = "2006-01-02 15:04:05"
	earlier := t.Add(-time.Duration(before-now) * time.Second)
	return earlier.Format(wall) == t.Format(wall)
}

// deadline returns when h goes late, given its state: a success expected
// by due plus the grace, and a started run's end within the grace after
// its start, whichever is earlier; nil when nothing is awaited.
func (s *Service) deadline(h *app.Heartbeat) (*time.Time, error) {
	var out *time.Time
	if h.State == app.HeartbeatUp && h.LastSuccess != nil {
		d, err := s.due(h, *h.LastSuccess)
		if err != nil {
			return nil, err
		}
		d = d.Add(h.Grace)
		out = &d
	}
	if h.StartedAt != nil && h.State != app.HeartbeatPaused {
		d := h.StartedAt.Add(h.Grace)
		if out == nil || d.Before(*out) {
			out = &d
		}
	}
	return out, nil
}
