package app

import (
	"context"
	"time"
)

// WeekStats summarises the notifications one user received in one week,
// weekly reports excluded. Unread and Acknowledged count those of the week
// that are still unread, or were acknowledged, at the time of the report.
type WeekStats struct {
	Total        int            `json:"total"`
	Unread       int            `json:"unread"`
	Acknowledged int            `json:"acknowledged"`
	ByType       map[string]int `json:"by_type"`
	ByLevel      map[string]int `json:"by_level"`
	// BusiestService is the service_id with the most notifications ("" when
	// none carried one); ties go to the first name in byte order.
	BusiestService      string `json:"busiest_service,omitempty"`
	BusiestServiceCount int    `json:"busiest_service_count,omitempty"`
}

// ReportClaim is the outcome of claiming a (user, week) report run.
type ReportClaim int

// Claim outcomes: another run already sent or is sending the report; this
// caller owns a fresh run; or this caller took over a run that was claimed
// long ago and never completed (a crash), whose notification may exist.
const (
	ReportTaken ReportClaim = iota
	ReportClaimed
	ReportRecovered
)

// ReportStore keeps one run row per (user, ISO week), which makes the weekly
// report exactly-once, and computes the report's figures.
type ReportStore interface {
	// WeekStats counts userID's notifications created in [from, to).
	WeekStats(ctx context.Context, userID string, from, to time.Time) (*WeekStats, error)
	// ClaimReport records at now that the report of (userID, week) is being
	// sent. A run claimed before staleBefore and never completed may be
	// taken over (ReportRecovered).
	ClaimReport(ctx context.Context, userID, week string, now, staleBefore time.Time) (ReportClaim, error)
	// CompleteReport marks the run sent; notificationID is "" when the
	// user's preference stored no notification.
	CompleteReport(ctx context.Context, userID, week, notificationID string, now time.Time) error
	// ReleaseReport forgets a claimed run that was not sent, so that the
	// next attempt may claim it again.
	ReleaseReport(ctx context.Context, userID, week string) error
	// SentReports returns the users whose report of week was sent.
	SentReports(ctx context.Context, week string) (map[string]bool, error)
	// FindWeeklyReport returns the id of userID's weekly_report notification
	// whose data.period is week, created at or after since; ENOTFOUND if none.
	FindWeeklyReport(ctx context.Context, userID, week string, since time.Time) (string, error)
}
