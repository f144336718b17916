package app_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// FuzzParseDelay reads a publish's delay the way POST /api/v1/events does.
// A refusal is EINVALID with SCHEDULE_INVALID and a message (a 400); an
// accepted delay is not negative, a whole number is that many seconds,
// and CheckDeliverAt then refuses only with its own codes.
func FuzzParseDelay(f *testing.F) {
	for _, s := range []string{"30m", "2h", "1h30m", "90", "0", "-5m", "soon", "99999999999999999999", "1.5", " 45 ", "3d", "500ms"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := app.ParseDelay(s)
		if err != nil {
			if app.ErrorKind(err) != app.EINVALID || app.ErrorCode(err) != app.CodeScheduleInvalid || app.ErrorMessage(err) == "" {
				t.Fatalf("ParseDelay(%q): %v", s, err)
			}
			return
		}
		if d < 0 {
			t.Fatalf("ParseDelay(%q) = %s, negative", s, d)
		}
		if n, perr := strconv.ParseInt(strings.TrimSpace(s), 10, 64); perr == nil && d != time.Duration(n)*time.Second {
			t.Fatalf("ParseDelay(%q) = %s, want %d seconds", s, d, n)
		}
		switch err := app.CheckDeliverAt(now, now.Add(d), app.DefaultMaxDelay); app.ErrorCode(err) {
		case "":
			if d <= 0 || d > app.DefaultMaxDelay {
				t.Fatalf("CheckDeliverAt accepted a delay of %s", d)
			}
		case app.CodeScheduleInPast, app.CodeScheduleTooFar:
		default:
			t.Fatalf("CheckDeliverAt(+%s): %v", d, err)
		}
	})
}
