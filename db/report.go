package db

import (
	"context"
	"database/sql"
	"time"

	"github.com/belfry/belfry/app"
)

var _ app.ReportStore = (*ReportStore)(nil)

// ReportStore implements app.ReportStore on the report_runs table and the
// notifications table. It is safe for concurrent use.
type ReportStore struct {
	db *DB
}

// NewReportStore returns a ReportStore on d.
func NewReportStore(d *DB) *ReportStore { return &ReportStore{db: d} }

// reportType is excluded from the figures: a report does not count itself.
const reportType = "weekly_report"

// WeekStats counts userID's notifications created in [from, to), weekly
// reports excluded. The user's (user_id, created_at) index serves the range.
func (s *ReportStore) WeekStats(ctx context.Context, userID string, from, to time.Time) (*app.WeekStats, error) {
	st := &app.WeekStats{ByType: map[string]int{}, ByLevel: map[string]int{}}
	rows, err := s.db.readQuery(ctx, `SELECT type, level, count(*), sum(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), sum(CASE WHEN status = 'acknowledged' THEN 1 ELSE 0 END)
		FROM notifications WHERE user_id = ? AND created_at >= ? AND created_at < ? AND type <> ?
		GROUP BY type, level`, userID, millis(from), millis(to), reportType)
	if err != nil {
		return nil, internal(err, "week stats")
	}
	defer rows.Close()
	for rows.Next() {
		var typ, level string
		var n, unread, acked int
		if err := rows.Scan(&typ, &level, &n, &unread, &acked); err != nil {
			return nil, internal(err, "week stats")
		}
		st.Total += n
		st.Unread += unread
		st.Acknowledged += acked
		st.ByType[typ] += n
		st.ByLevel[level] += n
	}
	if err := rows.Err(); err != nil {
		return nil, internal(err, "week stats")
	}
	err = s.db.readQueryRow(ctx, `SELECT service_id, count(*) AS n FROM notifications
		WHERE user_id = ? AND created_at >= ? AND created_at < ? AND type <> ? AND service_id IS NOT NULL
		GROUP BY service_id ORDER BY n DESC, service_id LIMIT 1`, userID, millis(from), millis(to), reportType).
		Scan(&st.BusiestService, &st.BusiestServiceCount)
	if err != nil && err != sql.ErrNoRows {
		return nil, internal(err, "week stats: busiest service")
	}
	return st, nil
}

// ClaimReport claims the run of (userID, week): ReportClaimed when no run
// existed, ReportRecovered when an unsent claim older than staleBefore was
// taken over, ReportTaken otherwise. The insert and the takeover each run in
// the single writer, so two callers never both own a run. ENOTFOUND when the
// user does not exist.
func (s *ReportStore) ClaimReport(ctx context.Context, userID, week string, now, staleBefore time.Time) (app.ReportClaim, error) {
	claim := app.ReportTaken
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		claim = app.ReportTaken
		res, err := tx.Exec(`INSERT INTO report_runs (user_id, week, status, claimed_at) VALUES (?, ?, 'claimed', ?)
			ON CONFLICT (user_id, week) DO NOTHING`, userID, week, millis(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			claim = app.ReportClaimed
			return nil
		}
		res, err = tx.Exec(`UPDATE report_runs SET claimed_at = ?
			WHERE user_id = ? AND week = ? AND status = 'claimed' AND claimed_at < ?`,
			millis(now), userID, week, millis(staleBefore))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			claim = app.ReportRecovered
		}
		return nil
	})
	if isForeignKeyViolation(err) {
		return app.ReportTaken, app.Errorf(app.ENOTFOUND, "User not found.")
	}
	return claim, internal(err, "claim report")
}

// CompleteReport marks the run of (userID, week) sent.
func (s *ReportStore) CompleteReport(ctx context.Context, userID, week, notificationID string, now time.Time) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE report_runs SET status = 'sent', notification_id = ?, sent_at = ?
			WHERE user_id = ? AND week = ?`, nullString(notificationID), millis(now), userID, week)
		return err
	})
	return internal(err, "complete report")
}

// ReleaseReport deletes the run of (userID, week) unless it was sent.
func (s *ReportStore) ReleaseReport(ctx context.Context, userID, week string) error {
	err := s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`DELETE FROM report_runs WHERE user_id = ? AND week = ? AND status = 'claimed'`, userID, week)
		return err
	})
	return internal(err, "release report")
}

// SentReports returns the users whose report of week was sent.
func (s *ReportStore) SentReports(ctx context.Context, week string) (map[string]bool, error) {
	rows, err := s.db.readQuery(ctx, `SELECT user_id FROM report_runs WHERE week = ? AND status = 'sent'`, week)
	if err != nil {
		return nil, internal(err, "sent reports")
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, internal(err, "sent reports")
		}
		out[id] = true
	}
	return out, internal(rows.Err(), "sent reports")
}

// FindWeeklyReport returns the id of userID's weekly report for week created
// at or after since, ENOTFOUND if none.
func (s *ReportStore) FindWeeklyReport(ctx context.Context, userID, week string, since time.Time) (string, error) {
	var id string
	err := s.db.readQueryRow(ctx, `SELECT id FROM notifications
		WHERE user_id = ? AND created_at >= ? AND type = ? AND json_extract(data, '$.period') = ?
		ORDER BY created_at, id LIMIT 1`, userID, millis(since), reportType, week).Scan(&id)
	if err != nil {
		return "", internal(notFound(err, "", "Weekly report not found."), "find weekly report")
	}
	return id, nil
}
