package cli

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestCLIMigrate(t *testing.T) {
	env, path := testEnv(t)
	wantFailure(t, runCLI(t, env, "", "migrate", "status"), 1, "does not exist")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("migrate status created the database")
	}

	res := mustRun(t, env, "", "migrate")
	if !regexp.MustCompile(`^Applied [1-9]\d* migration\(s\)\.\n$`).MatchString(res.stdout) {
		t.Fatalf("first migrate printed %q", res.stdout)
	}
	if res := mustRun(t, env, "", "migrate", "up"); res.stdout != "The database is up to date.\n" {
		t.Fatalf("second migrate printed %q", res.stdout)
	}
	lines := strings.Split(strings.TrimSpace(mustRun(t, env, "", "migrate", "status").stdout), "\n")
	if len(lines) < 2 || !regexp.MustCompile(`^VERSION\s+NAME\s+STATE$`).MatchString(lines[0]) {
		t.Fatalf("status:\n%s", strings.Join(lines, "\n"))
	}
	for _, l := range lines[1:] {
		if !regexp.MustCompile(`^\d{5}\s+\d{5}_\w+\.sql\s+applied$`).MatchString(l) {
			t.Errorf("status row %q", l)
		}
	}
}
