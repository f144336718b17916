package ntfy

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/olebedev/when"
	"github.com/olebedev/when/rules/common"
	"github.com/olebedev/when/rules/en"
)

// minDelay is ntfy's smallest delay: a message due sooner is refused.
const minDelay = 10 * time.Second

// ntfy's errors of a delayed message.
var (
	errDelayInvalid  = apiError{40004, 400, "invalid delay parameter: unable to parse delay", docs + "#scheduled-delivery"}
	errDelayTooSmall = apiError{40005, 400, "invalid delay parameter: too small, please refer to the docs", docs + "#scheduled-delivery"}
	errDelayTooLarge = apiError{40006, 400, "invalid delay parameter: too large, please refer to the docs", docs + "#scheduled-delivery"}
)

// unitDuration is ntfy's duration form: a number and a unit, words
// allowed ("30m", "30min", "2 days", "1 hour").
var unitDuration = regexp.MustCompile(`^(\d{1,9})\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)$`)

// naturalTime reads English times and dates ("10am", "tomorrow, 3pm",
// "Tuesday, 7am"), as ntfy does. It is built on the first delayed message
// that needs it: its rules compile their expressions then, not in every
// server's memory.
var naturalTime = sync.OnceValue(func() *when.Parser {
	w := when.New(nil)
	w.Add(en.All...)
	w.Add(common.All...)
	return w
})

// deliveryTime reads the X-Delay/At/In value v at now: a Unix timestamp
// in seconds, a duration ("30m", "3h", "2 days", "1h30m") or a natural
// time in zone ("10am" today, or tomorrow when 10am has passed; "tomorrow,
// 3pm"). ntfy's 40004 when it is none of them, 40005 when it is less than
// ten seconds away.
func deliveryTime(v value, now time.Time, zone *time.Location) (time.Time, error) {
	text := strings.ToLower(strings.TrimSpace(v.text))
	at, ok := parseDelay(text, now, zone)
	if !ok {
		return time.Time{}, errDelayInvalid.wrap("%s is not a Unix time, a duration such as 30m or 2 days, or a time such as \"tomorrow, 10am\": %q",
			v.from, web.Clip(v.text, quoteMax))
	}
	if at.Sub(now) < minDelay {
		return time.Time{}, errDelayTooSmall.wrap("%s is %s, less than %s from now", v.from, at.UTC().Format(time.RFC3339), minDelay)
	}
	return at, nil
}

func parseDelay(text string, now time.Time, zone *time.Location) (time.Time, bool) {
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		if n < 0 || n > 1<<40 {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	if m := unitDuration.FindStringSubmatch(text); m != nil {
		n, _ := strconv.Atoi(m[1]) // at most nine digits
		unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[m[2][0]]
		return now.Add(time.Duration(n) * unit), true
	}
	if d, err := time.ParseDuration(text); err == nil && d >= 0 {
		return now.Add(d), true
	}
	local := now.In(zone)
	r, err := naturalTime().Parse(text, local)
	if err != nil || r == nil || len(strings.TrimSpace(r.Text)) < len(strings.TrimSpace(text))/2 {
		return time.Time{}, false
	}
	at := r.Time
	// A time of day that has passed today is tomorrow's, as in ntfy.
	if !at.After(local) && local.Sub(at) < 24*time.Hour {
		at = at.AddDate(0, 0, 1)
	}
	return at.UTC(), true
}

// fromScheduleError is the scheduler's refusal of a delivery time in
// ntfy's shape; other errors pass through.
func fromScheduleError(err error, v value) error {
	switch app.ErrorCode(err) {
	case app.CodeScheduleTooFar:
		return errDelayTooLarge.wrap("%s: %s", v.from, app.ErrorMessage(err))
	case app.CodeScheduleInPast:
		return errDelayTooSmall.wrap("%s: %s", v.from, app.ErrorMessage(err))
	}
	return err
}
