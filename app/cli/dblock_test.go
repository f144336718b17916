package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCLIServeRefusesASecondServe runs a second serve on the database of a
// running one: it exits 1 and names the running server and the lock file,
// while the commands that take no lock work beside the first. Once that
// one stopped, serve starts again.
func TestCLIServeRefusesASecondServe(t *testing.T) {
	env, path := testEnv(t)
	srv := startServe(t, env)
	res := runCLI(t, env, "", "serve")
	wantFailure(t, res, 1, "is in use by belfry serve (pid ")
	if reason := Reason(res.err); !strings.Contains(reason, lockPath(path)) || !strings.Contains(reason, "only one belfry serve") {
		t.Errorf("reason %q names neither the lock file nor the rule", reason)
	}
	addUsers(t, env, "ann")
	mustRun(t, env, "", "backup", filepath.Join(t.TempDir(), "copy.db"))
	mustRun(t, env, "", "token", "create", "ann", "--scope", "publish")
	if err := srv.stop(t); err != nil {
		t.Fatal(err)
	}
	if err := startServe(t, env).stop(t); err != nil {
		t.Fatal(err)
	}
}

// TestCLIServeRefusedDuringARestore holds the lock as a restore does: serve
// refuses and says a restore is under way.
func TestCLIServeRefusedDuringARestore(t *testing.T) {
	env, path := testEnv(t)
	lock, err := lockDatabase(path, "restore")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	wantFailure(t, runCLI(t, env, "", "serve"), 1, "is being restored (belfry restore (pid ")
}

// TestCLIFileModes runs serve under the common umask 022 on a database in
// a directory that does not exist yet, and backs it up: the directory is
// 0700; the database, its -wal and -shm, the lock file and the backup 0600.
func TestCLIFileModes(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "belfry.db")
	env := []string{"BELFRY_DATABASE_PATH=" + path, "BELFRY_LOG_LEVEL=warn", "BELFRY_SERVER_LISTEN=127.0.0.1:0"}
	srv := startServe(t, env)
	defer srv.stop(t)
	backup := filepath.Join(t.TempDir(), "copy.db")
	mustRun(t, env, "", "backup", backup)
	for p, want := range map[string]os.FileMode{
		dir: os.ModeDir | 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600,
		lockPath(path): 0o600, backup: 0o600,
	} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & (os.ModeDir | os.ModePerm); got != want {
			t.Errorf("%s has mode %v, want %v", filepath.Base(p), got, want)
		}
	}
}
