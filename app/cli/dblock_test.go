package cli

import (
	"path/filepath"
	"strings"
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
