package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/belfry/belfry/db"
)

// rows returns every id of table in the database at path, in order.
func rows(t *testing.T, path, table string) []string {
	t.Helper()
	d, err := db.Open(apptest.DBOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rs, err := d.Reader().Query("SELECT id FROM " + table + " ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var ids []string
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestCLIBackupWhileServing(t *testing.T) {
	if os.Getenv("BELFRY_TEST_DATABASE") == "postgres" {
		t.Skip("backs up the SQLite file; TestCLIPostgres checks backup on PostgreSQL")
	}
	env, path := testEnv(t)
	srv := startServe(t, env)
	// Publish through a second handle while serve holds the database.
	s := servertest.New(t, servertest.WithConfig(func(c *app.Config) { c.Database.Path = path }))
	token := s.TokenFor("kate", false, app.ScopePublish)
	for i := 0; i < 5; i++ {
		mustRun(t, nil, "", "notify", "--server", s.URL, "--token", token, "--type", "job_completed", "--title", "done")
	}

	dest := filepath.Join(t.TempDir(), "copy.db")
	res := mustRun(t, env, "", "backup", dest)
	if !regexp.MustCompile(`^Backed up .+belfry\.db to .+copy\.db \(\d+ bytes\)\.\n$`).MatchString(res.stdout) {
		t.Fatalf("backup printed %q", res.stdout)
	}
	if err := srv.stop(t); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"users", "tokens", "notifications"} {
		live, copied := rows(t, path, table), rows(t, dest, table)
		if len(live) == 0 || !reflect.DeepEqual(live, copied) {
			t.Fatalf("%s: live %v, backup %v", table, live, copied)
		}
	}
	if len(rows(t, dest, "notifications")) != 5 {
		t.Fatal("backup lacks notifications")
	}

	wantFailure(t, runCLI(t, env, "", "backup", dest), 1, "already exists")
}

func TestCLIBackupWithoutDatabase(t *testing.T) {
	env, path := testEnv(t)
	dest := filepath.Join(t.TempDir(), "copy.db")
	wantFailure(t, runCLI(t, env, "", "backup", dest), 1, "does not exist")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("backup created the database")
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Fatal("backup wrote a file")
	}
}
