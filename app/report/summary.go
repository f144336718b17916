package report

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
)

// reportType is the notification type of the weekly report.
const reportType = app.WeeklyReportType

// reportData is the data object of a report notification: the figures, the
// period and its bounds.
type reportData struct {
	Period   string    `json:"period"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Timezone string    `json:"timezone"`
	*app.WeekStats
}

// event builds the report of w for u from stats.
func (r *Reporter) event(u *app.User, w Week, stats *app.WeekStats) *app.Event {
	start, end := w.Bounds(r.loc)
	data, _ := json.Marshal(reportData{Period: w.String(), From: start, To: end, Timezone: r.loc.String(), WeekStats: stats})
	return &app.Event{
		Type:  reportType,
		Level: app.LevelInfo,
		Title: fmt.Sprintf("Weekly report %s", w),
		Body:  summary(stats, start, end.AddDate(0, 0, -1)),
		Data:  data,
		Users: []string{u.Username},
	}
}

// summary is the report's Markdown body.
func summary(st *app.WeekStats, first, last time.Time) string {
	period := fmt.Sprintf("%s to %s", first.Format("Mon 2 Jan"), last.Format("Mon 2 Jan 2006"))
	if st.Total == 0 {
		return "No notifications from " + period + "."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** from %s: %s.\n\n", app.Count(st.Total, "notification"), period, levels(st.ByLevel))
	fmt.Fprintf(&b, "- By type: %s\n", counts(st.ByType))
	fmt.Fprintf(&b, "- Still unread: %d\n", st.Unread)
	fmt.Fprintf(&b, "- Acknowledged: %d\n", st.Acknowledged)
	if st.BusiestService != "" {
		fmt.Fprintf(&b, "- Busiest service: %s (%d)\n", st.BusiestService, st.BusiestServiceCount)
	}
	return strings.TrimRight(b.String(), "\n")
}

// levels lists the counts by level, most severe first.
func levels(by map[string]int) string {
	var parts []string
	for _, l := range []string{"error", "warning", "info"} {
		switch n := by[l]; {
		case n == 0:
		case l == "info":
			parts = append(parts, fmt.Sprintf("%d info", n))
		default:
			parts = append(parts, app.Count(n, l))
		}
	}
	return strings.Join(parts, ", ")
}

// counts lists a map's counts, largest first, ties by name.
func counts(by map[string]int) string {
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if by[keys[i]] != by[keys[j]] {
			return by[keys[i]] > by[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, by[k])
	}
	return strings.Join(parts, ", ")
}
