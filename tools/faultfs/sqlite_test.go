package faultfs

import (
	"bufio"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// SQLite runs in helper processes, never in the test process: the test
// process serves the mount, and SQLite mmaps the -shm file. A page fault on
// the mount's own mapping blocks a thread where Go's garbage collector
// cannot stop it while the goroutines that would answer the fault are
// stopped: the process deadlocks.

// helperEnv selects what TestHelperProcess does; the other FAULTFS_ variables
// are its arguments.
const helperEnv = "FAULTFS_TEST_HELPER"

// TestHelperProcess is not a test: the tests below run the test binary
// again with helperEnv set, to use SQLite on the mount from another process.
func TestHelperProcess(t *testing.T) {
	what := os.Getenv(helperEnv)
	if what == "" {
		t.Skip("helper process only")
	}
	path, sync := os.Getenv("FAULTFS_DB"), os.Getenv("FAULTFS_SYNC")
	rows, _ := strconv.Atoi(os.Getenv("FAULTFS_ROWS"))
	db := openSQLite(t, path, sync)
	defer db.Close()
	switch what {
	case "write":
		// Commit rows one transaction each and say so; once told the power
		// is cut, try one more write and say how it went, then keep the
		// database open until killed.
		for i := range rows {
			insertRow(t, db, fmt.Sprint("row ", i))
		}
		fmt.Println("written")
		in := bufio.NewReader(os.Stdin)
		_, _ = in.ReadString('\n')
		_, err := db.Exec("INSERT INTO t (v) VALUES ('after the cut')")
		fmt.Printf("after the cut: %v\n", err)
		_, _ = io.Copy(io.Discard, in)
	case "share":
		// Say the database is open, wait for the word to start, so both
		// processes write at the same time.
		label := os.Getenv("FAULTFS_LABEL")
		fmt.Println("ready")
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		for i := range rows {
			insertRow(t, db, fmt.Sprintf("%s %d", label, i))
			// Leave the lock free a moment, so the processes take turns.
			time.Sleep(time.Millisecond)
		}
	case "check":
		var n, switches int
		var ok string
		if err := db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil {
			t.Fatal(err)
		}
		// How often the writer changed between consecutive rows.
		if err := db.QueryRow(`SELECT count(*) FROM t a JOIN t b ON b.id = a.id + 1
			WHERE substr(a.v, 1, 1) <> substr(b.v, 1, 1)`).Scan(&switches); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("rows=%d integrity=%s switches=%d\n", n, ok, switches)
	default:
		t.Fatalf("unknown helper %q", what)
	}
}

// openSQLite opens the database at path in WAL mode with the given
// synchronous level, the way Belfry does.
func openSQLite(t *testing.T, path, sync string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous("+sync+")&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	return db
}

func insertRow(t *testing.T, db *sql.DB, v string) {
	t.Helper()
	if _, err := db.Exec("INSERT INTO t (v) VALUES (?)", v); err != nil {
		t.Fatal(err)
	}
}

// helper prepares a helper process doing what with the database at path.
func helper(what, path, sync string, rows int, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+what, "FAULTFS_DB="+path, "FAULTFS_SYNC="+sync,
		"FAULTFS_ROWS="+strconv.Itoa(rows))
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	return cmd
}

// checkDB runs the check helper and returns rows, integrity_check and the
// number of writer switches.
func checkDB(t *testing.T, path, sync string) (int, string, int) {
	t.Helper()
	out, err := helper("check", path, sync, 0).Output()
	if err != nil {
		t.Fatalf("check helper: %v", err)
	}
	for line := range strings.Lines(string(out)) {
		var n, switches int
		var ok string
		if _, err := fmt.Sscanf(line, "rows=%d integrity=%s switches=%d", &n, &ok, &switches); err == nil {
			return n, ok, switches
		}
	}
	t.Fatalf("check helper said %q", out)
	return 0, "", 0
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
			const rows = 300
			w := helper("write", path, c.sync, rows)
			stdin, _ := w.StdinPipe()
			stdout, _ := w.StdoutPipe()
			if err := w.Start(); err != nil {
				t.Fatal(err)
			}
			out := bufio.NewReader(stdout)
			defer func() {
				w.Process.Kill()
				w.Wait()
			}()
			if line, _ := out.ReadString('\n'); line != "written\n" {
				t.Fatalf("write helper said %q", line)
			}
			loss := fsys.PowerCut()
			t.Logf("cut discarded %d bytes in %d files", loss.Bytes, loss.Files)
			fmt.Fprintln(stdin, "cut")
			if line, _ := out.ReadString('\n'); line == "after the cut: <nil>\n" || !strings.HasPrefix(line, "after the cut: ") {
				t.Errorf("a write after the cut: %q; want an I/O error", line)
			}
			w.Process.Kill()
			w.Wait()
			stdin.Close()

			remount()
			got, ok, _ := checkDB(t, path, c.sync)
			if ok != "ok" {
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

const sharedRows = 200

// TestSQLiteSharedAcrossProcesses writes to one WAL database from two
// processes at once: the POSIX locks and the mmap'ed wal-index must be
// shared through the mount, or rows go missing or the file is corrupted.
func TestSQLiteSharedAcrossProcesses(t *testing.T) {
	fsys, _ := mountForTest(t)
	path := filepath.Join(fsys.Mountpoint(), "shared.db")
	var (
		cmds []*exec.Cmd
		gos  []io.WriteCloser
	)
	defer func() {
		for _, cmd := range cmds {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	for _, label := range []string{"a", "b"} {
		cmd := helper("share", path, "FULL", sharedRows, "FAULTFS_LABEL="+label)
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, gos = append(cmds, cmd), append(gos, stdin)
		if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
			t.Fatalf("share helper %s said %q", label, line)
		}
	}
	for _, g := range gos {
		fmt.Fprintln(g, "go")
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("share helper: %v", err)
		}
	}
	cmds = nil
	n, ok, switches := checkDB(t, path, "FULL")
	if n != 2*sharedRows {
		t.Errorf("%d rows, want %d from both processes", n, 2*sharedRows)
	}
	if ok != "ok" {
		t.Errorf("integrity_check = %q", ok)
	}
	// Near zero would mean the processes did not really write at once.
	t.Logf("the two processes took turns %d times", switches)
	if switches == 0 {
		t.Error("one process wrote all its rows before the other began: nothing was shared")
	}
}
