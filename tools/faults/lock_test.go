package faults

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneServerPerDatabase starts belfry serve, then a second serve on the
// same database (on another port): the second must exit 1 naming the
// first, while backup, user add and token create work beside the running
// server. After the first server crashes (SIGKILL) a new one starts: the
// lock dies with its process.
func TestOneServerPerDatabase(t *testing.T) {
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

	srv.kill()
	in.serve().stop()
}
