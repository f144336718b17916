package faultfs

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

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

// helperEnv names the database the helper process writes to.
const helperEnv = "FAULTFS_TEST_HELPER_DB"

// TestHelperWriter is not a test: TestSQLiteSharedAcrossProcesses runs the
// test binary again with helperEnv set, to write from a second process.
func TestHelperWriter(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process only")
	}
	db := openSQLite(t, path, "FULL")
	defer db.Close()
	for i := range sharedRows {
		if _, err := db.Exec("INSERT INTO t (v) VALUES (?)", fmt.Sprint("helper ", i)); err != nil {
			t.Fatal(err)
		}
		// Leave the lock free a moment, so the processes take turns.
		time.Sleep(time.Millisecond)
	}
}

const sharedRows = 200

// TestSQLiteSharedAcrossProcesses writes to one WAL database from two
// processes at once: the POSIX locks and the mmap'ed wal-index must be
// shared through the mount, or rows go missing or the file is corrupted.
func TestSQLiteSharedAcrossProcesses(t *testing.T) {
	fsys, _ := mountForTest(t)
	path := filepath.Join(fsys.Mountpoint(), "shared.db")
	db := openSQLite(t, path, "FULL")
	defer db.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Write until the helper is done; each count must see every row
	// committed so far by either process.
	own, seen := 0, 0
	var helperErr error
	for running := true; running; {
		select {
		case helperErr = <-done:
			running = false
		default:
		}
		if _, err := db.Exec("INSERT INTO t (v) VALUES (?)", fmt.Sprint("parent ", own)); err != nil {
			t.Fatal(err)
		}
		own++
		time.Sleep(time.Millisecond)
		n := countRows(t, db)
		if n < seen || n < own {
			t.Fatalf("count went from %d to %d after %d own rows", seen, n, own)
		}
		seen = n
	}
	if helperErr != nil {
		t.Fatalf("helper: %v\n%s", helperErr, out.String())
	}
	if n := countRows(t, db); n != own+sharedRows {
		t.Errorf("%d rows, want %d + %d from both processes", n, own, sharedRows)
	}
	if ok := integrity(t, db); ok != "ok" {
		t.Errorf("integrity_check = %q", ok)
	}
	// How often the writer changed between consecutive rows: near zero means
	// the processes did not really write at the same time.
	var switches int
	if err := db.QueryRow(`SELECT count(*) FROM t a JOIN t b ON b.id = a.id + 1
		WHERE substr(a.v, 1, 6) <> substr(b.v, 1, 6)`).Scan(&switches); err != nil {
		t.Fatal(err)
	}
	t.Logf("the two processes took turns %d times", switches)
}
