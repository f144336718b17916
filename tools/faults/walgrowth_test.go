package faults

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestWALGrowthDuringLongReader holds a read transaction open on Belfry's
// database from another process while publishing: no checkpoint can pass
// the reader's snapshot, so the WAL grows until the disk is full. That
// must look like any full disk (507 STORAGE_FULL, reads working, /readyz
// 503 naming the full disk, no spinning), and once the reader ends Belfry
// must recover by itself: the WAL is copied back and truncated, /readyz
// answers 200 and the next publish succeeds, with nothing acknowledged lost.
func TestWALGrowthDuringLongReader(t *testing.T) {
	requireRoot(t, "the WAL-growth test")
	disk := smallDisk(t, 16<<20)
	dbPath := filepath.Join(disk, "belfry.db")
	in := newInstance(t, dbPath, "full")
	srv := in.serve()
	tok := in.createTokens()
	in.createWebhook(t, tok.admin, newReceiver(t))
	var seq statusLog
	acked := map[string]bool{}
	for i := range 20 {
		st, id, body := in.publishBody(context.Background(), tok.publish, fmt.Sprint("before ", i), fullBody)
		if st != http.StatusAccepted {
			t.Fatalf("publish before the reader: %d %s", st, body)
		}
		acked[id] = true
		seq.add("publish", st)
	}

	reader := longReader(t, dbPath)
	start := time.Now()
	for id := range publishUntilFull(t, in, tok.publish, &seq) {
		acked[id] = true
	}
	wal := fileSize(t, dbPath+"-wal")
	t.Logf("full after %v: the WAL has %d bytes, %d bytes are free", time.Since(start).Round(time.Millisecond), wal, freeBytes(t, disk))
	if wal < 4<<20 {
		t.Errorf("the WAL has only %d bytes: the long reader did not hold back the checkpoints", wal)
	}
	checkWhileFull(t, in, srv, tok, acked, &seq)
	if n := reader.count(t); n != 20 {
		t.Errorf("the long reader sees %d notifications, not its snapshot's 20", n)
	}

	reader.end(t)
	ended := time.Now()
	waitReady(t, in, &seq)
	t.Logf("ready again %v after the reader ended; the WAL has %d bytes", time.Since(ended).Round(time.Millisecond), fileSize(t, dbPath+"-wal"))
	st, id, body := in.publishBody(context.Background(), tok.publish, "after", fullBody)
	seq.add("publish", st)
	if st != http.StatusAccepted {
		t.Fatalf("first publish after the reader ended: %d %s", st, body)
	}
	acked[id] = true
	checkAllThere(t, in, tok, acked)
	srv.stop()
	if s := readDatabase(t, dbPath); s.Integrity != "ok" || s.Orphans != 0 || s.Undelivered != 0 {
		t.Errorf("after the WAL filled the disk: integrity %q, %d orphan and %d missing deliveries", s.Integrity, s.Orphans, s.Undelivered)
	}
	t.Logf("sequence: %s", seq.String())
}

// snapshotReader is a read transaction held open by another process than
// the server (this test), as a backup tool or an analyst's sqlite3 would.
type snapshotReader struct {
	db   *sql.DB
	conn *sql.Conn
}

// longReader opens the database and starts a read transaction on it.
func longReader(t *testing.T, path string) *snapshotReader {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r := &snapshotReader{db: db, conn: conn}
	if _, err := conn.ExecContext(context.Background(), "BEGIN"); err != nil {
		t.Fatal(err)
	}
	r.count(t) // the first read takes the snapshot
	return r
}

// count is the number of notifications in the reader's snapshot.
func (r *snapshotReader) count(t *testing.T) int {
	t.Helper()
	var n int
	if err := r.conn.QueryRowContext(context.Background(), "SELECT count(*) FROM notifications").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// end ends the read transaction and closes the reader's connection.
func (r *snapshotReader) end(t *testing.T) {
	t.Helper()
	if _, err := r.conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if err := r.conn.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.db.Close(); err != nil {
		t.Fatal(err)
	}
}

// fileSize is the size of the file at path, 0 when it does not exist.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
