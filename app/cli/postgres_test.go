package cli

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/belfry/belfry/db/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// pgEnv is the environment of a belfry on a fresh PostgreSQL database.
func pgEnv(t *testing.T) []string {
	return []string{"BELFRY_DATABASE_DRIVER=postgres", "BELFRY_DATABASE_URL=" + pgtest.URL(t),
		"BELFRY_LOG_LEVEL=warn", "BELFRY_SERVER_LISTEN=127.0.0.1:0"}
}

// TestCLIPostgres: serve, the admin commands and notify work on
// PostgreSQL; two serve share one database (no lock file); backup and
// restore refuse with what to use instead.
func TestCLIPostgres(t *testing.T) {
	env := pgEnv(t)
	migrated := mustRun(t, env, "", "migrate", "up")
	if !strings.Contains(migrated.stdout, "Applied 1 migration(s)") {
		t.Fatalf("migrate up printed %q", migrated.stdout)
	}
	a := startServe(t, env)
	if len(a.before) != 1 || !strings.HasPrefix(a.before[0], `Created user "admin"`) {
		t.Fatalf("first start printed %q", a.before)
	}
	b := startServe(t, env) // a second replica on the same database
	if len(b.before) != 0 {
		t.Fatalf("second replica printed %q", b.before)
	}
	for _, s := range []*served{a, b} {
		if code, body := get(t, s.url+"/readyz"); code != http.StatusOK {
			t.Fatalf("GET /readyz: %d %s", code, body)
		}
	}
	mustRun(t, env, "", "user", "add", "alice")
	// Usernames compare in any case on PostgreSQL too.
	wantFailure(t, runCLI(t, env, "", "user", "add", "ALICE"), 1, "taken")
	tok := strings.TrimSpace(mustRun(t, env, "", "token", "create", "--scope", "publish", "alice", "--name", "backup job").stdout)
	// Published through one replica, listed through the other.
	mustRun(t, nil, "", "notify", "--server", a.url, "--token", tok, "--type", "job_completed", "--title", "Backup finished")
	if got := mustRun(t, env, "", "token", "list", "alice").stdout; !strings.Contains(got, "backup job") {
		t.Fatalf("token list = %q", got)
	}
	client := strings.TrimSpace(mustRun(t, env, "", "token", "create", "alice").stdout)
	req, _ := http.NewRequest(http.MethodGet, b.url+"/api/notifications/", nil)
	req.Header.Set("Authorization", "Bearer "+client)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Backup finished") {
		t.Fatalf("alice's inbox on the other replica: %d %s", resp.StatusCode, page)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"backup", t.TempDir() + "/copy.db"}, "pg_dump"},
		{[]string{"restore", t.TempDir() + "/copy.db"}, "pg_restore"},
	} {
		res := runCLI(t, env, "", tc.args...)
		if res.code() != 2 || !strings.Contains(res.err.Error(), tc.want) || !strings.Contains(res.err.Error(), "SQLite file only") {
			t.Errorf("%s: exit %d, %v; want 2 and a pointer to %s", tc.args[0], res.code(), res.err, tc.want)
		}
	}
	bad := runCLI(t, []string{"BELFRY_DATABASE_DRIVER=postgres", "BELFRY_DATABASE_URL=postgres://x:secret@[::1", "BELFRY_SERVER_LISTEN=127.0.0.1:0"}, "", "serve")
	if bad.code() != 2 || strings.Contains(bad.err.Error(), "secret") || !strings.Contains(bad.err.Error(), "database.url") {
		t.Errorf("a malformed database.url: exit %d, %v", bad.code(), bad.err)
	}
	if none := runCLI(t, []string{"BELFRY_DATABASE_DRIVER=postgres"}, "", "serve"); none.code() != 2 || !strings.Contains(none.err.Error(), "database.url") {
		t.Errorf("postgres without database.url: exit %d, %v", none.code(), none.err)
	}
	if other := runCLI(t, []string{"BELFRY_DATABASE_DRIVER=mysql"}, "", "serve"); other.code() != 2 || !strings.Contains(other.err.Error(), "sqlite or postgres") {
		t.Errorf("database.driver mysql: exit %d, %v", other.code(), other.err)
	}
}
