package faults

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOneServerPerDatabase starts belfry serve, under the common umask 022,
// on a database in a directory that does not exist yet, then a second
// serve on the same database (on another port): the second must exit 1
// naming the first, while backup, user add and token create work beside
// the running server. The files must be the owner's alone: the directory
// 0700; the database, its -wal and -shm, the lock file and the backup
// 0600. After the first server crashes (SIGKILL) a new one starts: the
// lock dies with its process.
func TestOneServerPerDatabase(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := filepath.Join(t.TempDir(), "data")
	dbPath := filepath.Join(dir, "belfry.db")
	in := newInstance(t, dbPath, "full")
	srv := in.serve()

	code, stdout, stderr := in.run([]string{"BELFRY_SERVER_LISTEN=" + freeAddr(t)}, "serve")
	want := fmt.Sprintf("is in use by belfry serve (pid %d)", srv.cmd.Process.Pid)
	if code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, dbPath+".lock") {
		t.Errorf("a second serve: exit %d, stderr %q, stdout %q; want exit 1 saying %q and naming the lock file", code, stderr, stdout, want)
	}
	t.Logf("a second serve: exit %d: %s", code, strings.TrimSpace(stderr))

	backup := filepath.Join(t.TempDir(), "copy.db")
	in.cli("backup", backup)
	in.cli("user", "add", "ann")
	in.cli("token", "create", "ann", "--scope", "publish")

	for p, want := range map[string]os.FileMode{
		dir: os.ModeDir | 0o700, dbPath: 0o600, dbPath + "-wal": 0o600, dbPath + "-shm": 0o600,
		dbPath + ".lock": 0o600, backup: 0o600,
	} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & (os.ModeDir | os.ModePerm); got != want {
			t.Errorf("%s has mode %v, want %v", filepath.Base(p), got, want)
		}
	}

	srv.kill()
	in.serve().stop()
}
