package ui

import (
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// scheduledRenderCases are the scheduled page and its list with hostile
// titles, types, topics and recipients.
func scheduledRenderCases(usr *app.User) []renderCase {
	at := usr.CreatedAt.Add(time.Hour)
	v := scheduledPage{Events: []*app.ScheduledEvent{
		{ID: "s1", Event: app.Event{Type: hostile, Title: hostile, Level: app.LevelError, ServiceID: hostile, Users: []string{hostile, "bob"}}, DeliverAt: at},
		{ID: "s2", Event: app.Event{Type: "job_failed", Title: "plain", Level: app.LevelInfo}, DeliverAt: at.Add(72 * time.Hour)},
	}}
	return []renderCase{
		{"scheduled", "layout", layoutView{Title: "Scheduled", User: usr, Nav: navFor(usr, "/scheduled"), Content: v}},
		{"scheduled", "layout", layoutView{Title: "Scheduled", User: usr, Content: scheduledPage{}}},
		{"scheduled", "scheduled_list", v},
	}
}

func TestUntil(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{30 * time.Second: "in less than a minute", 25 * time.Minute: "in 25 min",
		29*time.Minute + 59*time.Second: "in 30 min", 59*time.Minute + 50*time.Second: "in 1 h", 2*time.Hour + 59*time.Minute: "in 3 h",
		47 * time.Hour: "in 47 h", 47*time.Hour + 45*time.Minute: "in 2 days", 71 * time.Hour: "in 3 days"} {
		if got := until(now, now.Add(d)); got != want {
			t.Errorf("until +%s = %q, want %q", d, got, want)
		}
	}
}
