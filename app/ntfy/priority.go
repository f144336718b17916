package ntfy

import (
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
)

// priorities are ntfy's priority names and numbers.
var priorities = map[string]int{
	"1": 1, "min": 1,
	"2": 2, "low": 2,
	"3": 3, "default": 3,
	"4": 4, "high": 4,
	"5": 5, "max": 5, "urgent": 5,
}

// parsePriority reads ntfy's priority: 1–5 or min, low, default, high,
// max, urgent, in any case; 0 when it is not given.
func parsePriority(v value) (int, error) {
	if !v.set() {
		return 0, nil
	}
	p, ok := priorities[strings.ToLower(v.text)]
	if !ok {
		return 0, errPriorityInvalid.wrap("%s must be 1 to 5 or min, low, default, high, max, urgent, not %q", v.from, web.Clip(v.text, quoteMax))
	}
	return p, nil
}

// level maps ntfy's priority to Belfry's level: 1–3 (and none) info, 4
// (high) warning, 5 (max, urgent) error.
func level(priority int) app.Level {
	switch priority {
	case 4:
		return app.LevelWarning
	case 5:
		return app.LevelError
	}
	return app.LevelInfo
}

// quoteMax bounds client text quoted in an error message.
const quoteMax = 64
