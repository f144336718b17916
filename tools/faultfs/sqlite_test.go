package faultfs

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

// openSQLite opens the database at path in WAL mode with the given
// synchronous level, the way Belfry does.
func openSQLite(t *testing.T, path, sync string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous("+sync+")&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	return db
}

func countRows(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func integrity(t *testing.T, db *sql.DB) string {
	t.Helper()
	var s string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSQLiteWALSurvivesPowerCut commits rows one transaction at a time in
// WAL mode on the mount, cuts the power with the database open, remounts
// and reopens it: with synchronous FULL every committed row is there, with
// NORMAL the commits since the last checkpoint are gone.
func TestSQLiteWALSurvivesPowerCut(t *testing.T) {
	for _, c := range []struct {
		sync     string
		wantLoss bool
	}{{"FULL", false}, {"NORMAL", true}} {
		t.Run(c.sync, func(t *testing.T) {
			fsys, remount := mountForTest(t)
			path := filepath.Join(fsys.Mountpoint(), "test.db")
			db := openSQLite(t, path, c.sync)
			const rows = 300
			for i := range rows {
				if _, err := db.Exec("INSERT INTO t (v) VALUES (?)", fmt.Sprint("row ", i)); err != nil {
					t.Fatal(err)
				}
			}
			loss := fsys.PowerCut()
			t.Logf("cut discarded %d bytes in %d files", loss.Bytes, loss.Files)
			if _, err := db.Exec("INSERT INTO t (v) VALUES ('after the cut')"); err == nil {
				t.Error("a write after the cut succeeded; want an I/O error")
			}
			db.Close()

			fsys = remount()
			db = openSQLite(t, path, c.sync)
			defer db.Close()
			got := countRows(t, db)
			if ok := integrity(t, db); ok != "ok" {
				t.Errorf("integrity_check = %q", ok)
			}
			switch {
			case !c.wantLoss && got != rows:
				t.Errorf("after the cut %d rows of %d committed", got, rows)
			case c.wantLoss && got >= rows:
				t.Errorf("after the cut all %d rows survived without fsync; the cut discarded nothing", got)
			}
			t.Logf("synchronous=%s: %d of %d committed rows survived", c.sync, got, rows)
		})
	}
}
