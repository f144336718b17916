package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// addUsers adds users with the CLI, so they land in the database at env.
func addUsers(t *testing.T, env []string, names ...string) {
	t.Helper()
	for _, name := range names {
		mustRun(t, env, "password for "+name+"\n", "user", "add", name, "--password-stdin")
	}
}

func TestCLIRestore(t *testing.T) {
	env, path := testEnv(t)
	addUsers(t, env, "ann", "bob")
	backup := filepath.Join(t.TempDir(), "backup.db")
	mustRun(t, env, "", "backup", backup)
	saved := rows(t, path, "users")
	addUsers(t, env, "cid") // after the backup: restore must drop it

	res := mustRun(t, env, "", "restore", backup)
	m := regexp.MustCompile(`(?s)^Restored .+backup\.db to .+belfry\.db \(integrity ok, schema version \d+\)\.\n` +
		`The previous database is kept as (\S+); delete it once you are satisfied\.\n$`).FindStringSubmatch(res.stdout)
	if m == nil {
		t.Fatalf("restore printed %q", res.stdout)
	}
	if got := rows(t, path, "users"); !reflect.DeepEqual(got, saved) {
		t.Fatalf("users after restore %v, want the backup's %v", got, saved)
	}
	if kept := rows(t, m[1], "users"); len(kept) != len(saved)+1 {
		t.Fatalf("the kept database has %d users, want %d (with cid)", len(kept), len(saved)+1)
	}
	if _, err := os.Stat(path + ".restoring"); !os.IsNotExist(err) {
		t.Fatal("the temporary copy was left behind")
	}
	// The restored database serves: the CLI can log a user in.
	if !canLogin(t, path, "bob", "password for bob") {
		t.Fatal("bob cannot log in after the restore")
	}
}

func TestCLIRestoreIntoEmptyPlace(t *testing.T) {
	env, path := testEnv(t)
	addUsers(t, env, "ann")
	backup := filepath.Join(t.TempDir(), "backup.db")
	mustRun(t, env, "", "backup", backup)
	env2, path2 := testEnv(t)
	res := mustRun(t, env2, "", "restore", backup)
	if strings.Contains(res.stdout, "kept as") {
		t.Fatalf("nothing to keep, yet: %q", res.stdout)
	}
	if !reflect.DeepEqual(rows(t, path2, "users"), rows(t, path, "users")) {
		t.Fatal("restored users differ")
	}
}

func TestCLIRestoreRefusesWhileServing(t *testing.T) {
	env, path := testEnv(t)
	addUsers(t, env, "ann")
	backup := filepath.Join(t.TempDir(), "backup.db")
	mustRun(t, env, "", "backup", backup)
	srv := startServe(t, env)
	addUsers(t, env, "bob")
	before := rows(t, path, "users")
	wantFailure(t, runCLI(t, env, "", "restore", backup), 1, "belfry serve (pid ")
	if got := rows(t, path, "users"); !reflect.DeepEqual(got, before) {
		t.Fatal("the database changed under the server")
	}
	if err := srv.stop(t); err != nil {
		t.Fatal(err)
	}
	// Once the server stopped (and its lock with it), restore proceeds.
	mustRun(t, env, "", "restore", backup)
}

func TestCLIRestoreRefusesBadFiles(t *testing.T) {
	env, path := testEnv(t)
	addUsers(t, env, "ann")
	before := rows(t, path, "users")
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not sqlite ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	live := filepath.Join(dir, "live.db")
	copyDatabase(t, path, live)
	if err := os.WriteFile(live+"-wal", []byte("frames"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, want string }{
		{garbage, "is not a readable SQLite database"},
		{filepath.Join(dir, "missing.db"), "does not exist"},
		{dir, "is not a regular file"},
		{path, "is the database itself"},
		{live, "it is a live database, not a backup"},
	} {
		wantFailure(t, runCLI(t, env, "", "restore", tc.file), 1, tc.want)
		if got := rows(t, path, "users"); !reflect.DeepEqual(got, before) {
			t.Fatalf("restoring %s changed the database", tc.file)
		}
		if _, err := os.Stat(path + ".restoring"); !os.IsNotExist(err) {
			t.Fatalf("restoring %s left its temporary copy", tc.file)
		}
	}
	wantFailure(t, runCLI(t, env, "", "restore"), 2, "usage: belfry restore FILE")
}

// copyDatabase copies a closed database file.
func copyDatabase(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
