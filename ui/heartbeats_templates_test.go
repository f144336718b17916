package ui

import (
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/heartbeat"
)

// heartbeatRenderCases are the heartbeats page and partials with hostile
// names, bodies and user agents.
func heartbeatRenderCases(usr *app.User) []renderCase {
	at := usr.CreatedAt
	status := 3
	checks := []heartbeat.View{
		{ID: "h1", Name: hostile, PingURL: "http://belfry.example/ping/" + hostile, State: "down", PeriodSeconds: 3600, GraceSeconds: 300, LastPing: &at},
		{ID: "h2", Name: "cron", PingURL: "http://belfry.example/ping/k", State: "new", Schedule: "0 3 * * *", Timezone: hostile},
	}
	v := heartbeatsPage{Checks: checks, Periods: heartbeatPeriods, Graces: heartbeatGraces, Types: []string{"job_failed", hostile}, Created: &checks[0]}
	log := heartbeatLog{ID: "h1", Pings: []app.HeartbeatPing{
		{At: at, Kind: app.SignalFail, ExitStatus: &status, Body: hostile, RunID: hostile, Remote: hostile, UserAgent: hostile},
		{At: at.Add(-time.Hour), Kind: app.SignalSuccess},
	}}
	page := renderCase{"heartbeats", "layout", layoutView{Title: "Heartbeats", User: usr, Nav: navFor(usr, "/heartbeats"), Content: v}}
	return []renderCase{
		page,
		{"heartbeats", "layout", layoutView{Title: "Heartbeats", User: usr, Content: heartbeatsPage{Periods: heartbeatPeriods, Graces: heartbeatGraces}}},
		{"heartbeats", "heartbeat_created", v},
		{"heartbeats", "heartbeat_list", v},
		{"heartbeats", "heartbeat_rows", heartbeatsPage{}},
		{"heartbeats", "heartbeat_log", log},
		{"heartbeats", "heartbeat_log", heartbeatLog{ID: "h2"}},
	}
}

func TestSpan(t *testing.T) {
	for s, want := range map[int64]string{0: "0 s", 45: "45 s", 60: "1 minute", 90: "90 s", 300: "5 minutes", 3600: "1 hour",
		7200: "2 hours", 86400: "1 day", 604800: "7 days", 5400: "90 minutes"} {
		if got := span(s); got != want {
			t.Errorf("span(%d) = %q, want %q", s, got, want)
		}
	}
}
