package faults

import (
	"database/sql"
	"net/url"
	"testing"

	_ "modernc.org/sqlite"
)

// dbState is what a test reads from a stopped server's database file.
type dbState struct {
	Integrity     string
	Notifications int // job_failed notifications
	Deliveries    int // webhook deliveries of job.failed
	Orphans       int // deliveries whose notification does not exist
	Undelivered   int // job_failed notifications without a delivery
	IDs           map[string]bool
}

// readDatabase opens the database at path read-only, as an auditor would
// once the server has stopped, and checks it: integrity_check, and the
// webhook outbox against the notifications it was queued with.
func readDatabase(t *testing.T, path string) dbState {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var s dbState
	one := func(query string, dst any) {
		t.Helper()
		if err := db.QueryRow(query).Scan(dst); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	one("PRAGMA integrity_check", &s.Integrity)
	one("SELECT count(*) FROM notifications WHERE type = 'job_failed'", &s.Notifications)
	one("SELECT count(*) FROM webhook_deliveries WHERE event = 'job.failed'", &s.Deliveries)
	one(`SELECT count(*) FROM webhook_deliveries d
		WHERE d.notification_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = d.notification_id)`, &s.Orphans)
	one(`SELECT count(*) FROM notifications n WHERE n.type = 'job_failed'
		AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.notification_id = n.id)`, &s.Undelivered)
	rows, err := db.Query("SELECT id FROM notifications")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	s.IDs = map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		s.IDs[id] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// truncateWAL copies the WAL of the running server's database back and
// empties it, from this process, as `sqlite3 DB 'PRAGMA
// wal_checkpoint(TRUNCATE)'` would. It returns the WAL's size before.
func truncateWAL(t *testing.T, path string) int64 {
	t.Helper()
	before := fileSize(t, path+"-wal")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var busy, logged, copied int
	if err := db.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &copied); err != nil || busy != 0 {
		t.Fatalf("wal_checkpoint(TRUNCATE): busy %d, %v", busy, err)
	}
	if n := fileSize(t, path+"-wal"); n != 0 {
		t.Fatalf("the WAL still has %d bytes after wal_checkpoint(TRUNCATE)", n)
	}
	return before
}
