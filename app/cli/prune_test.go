package cli

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/db"
	"github.com/google/uuid"
)

// seedOld stores n read notifications of the user called name, created
// days ago, straight into the database at path.
func seedOld(t *testing.T, path, name string, n int, days int) {
	t.Helper()
	d, err := db.Open(apptest.DBOptions(path))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	at := time.Now().Add(-time.Duration(days) * 24 * time.Hour).UnixMilli()
	err = d.Write(context.Background(), func(tx *sql.Tx) error {
		for i := 0; i < n; i++ {
			if _, err := tx.Exec(`INSERT INTO notifications (id, user_id, type, level, title, read_at, created_at)
				SELECT ?, id, 'job_failed', 'info', 'old', ?, ? FROM users WHERE username = ?`,
				uuid.NewString(), at, at+int64(i), name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCLIPrune(t *testing.T) {
	env, path := testEnv(t)
	addUsers(t, env, "ann")
	seedOld(t, path, "ann", 3, 40) // read, past the default 30 days
	seedOld(t, path, "ann", 2, 10) // read, recent

	res := mustRun(t, env, "", "prune", "--dry-run")
	for _, want := range []string{
		`^Would delete \(dry run, nothing was deleted\):\n`,
		`\n  read notifications older than 30 days +3\n`,
		`\n  notifications beyond the newest 2000 per user +0\n`,
		`\n  finished webhook deliveries older than 30 days +0\n`,
		`\n  finished e-mails older than 30 days +0\n`,
		`\n  channel messages older than 180 days +0\n`,
		`\n  total +3\n$`,
	} {
		if !regexp.MustCompile(want).MatchString(res.stdout) {
			t.Fatalf("dry run output lacks %s:\n%s", want, res.stdout)
		}
	}
	if n := len(rows(t, path, "notifications")); n != 5 {
		t.Fatalf("the dry run deleted: %d notifications left", n)
	}

	res = mustRun(t, append(env, "BELFRY_RETENTION_MAX_PER_USER=1"), "", "prune")
	if !regexp.MustCompile(`^Deleted:\n(?s:.*)  read notifications older than 30 days +3\n  notifications beyond the newest 1 per user +1\n(?s:.*)  total +4\n$`).MatchString(res.stdout) {
		t.Fatalf("prune printed:\n%s", res.stdout)
	}
	if n := len(rows(t, path, "notifications")); n != 1 {
		t.Fatalf("%d notifications left, want 1", n)
	}

	res = mustRun(t, append(env, "BELFRY_RETENTION_READ_NOTIFICATIONS=0s", "BELFRY_RETENTION_MAX_PER_USER=0"), "", "prune", "--dry-run")
	if !regexp.MustCompile(`read notifications older than \(off: kept forever\) +0\n  notifications beyond the newest per user: off +0\n`).MatchString(res.stdout) {
		t.Fatalf("rules off:\n%s", res.stdout)
	}
}

func TestCLIPruneErrors(t *testing.T) {
	env, _ := testEnv(t)
	wantFailure(t, runCLI(t, env, "", "prune"), 1, "does not exist")
	wantFailure(t, runCLI(t, env, "", "prune", "now"), 2, "usage: belfry prune [--dry-run]")
	wantFailure(t, runCLI(t, append(env, "BELFRY_RETENTION_MAX_PER_USER=-1"), "", "prune"), 2, "retention.max_per_user must not be negative")
}

func TestCLIHelpOperations(t *testing.T) {
	for _, cmd := range []string{"prune", "restore"} {
		res := mustRun(t, nil, "", cmd, "--help")
		if !strings.HasPrefix(res.stdout, "Usage: belfry "+cmd) || !strings.Contains(res.stdout, "--config FILE") {
			t.Fatalf("belfry %s --help:\n%s", cmd, res.stdout)
		}
	}
	if res := mustRun(t, nil, "", "--help"); !strings.Contains(res.stdout, "  restore ") || !strings.Contains(res.stdout, "  prune ") {
		t.Fatalf("belfry --help does not list restore and prune:\n%s", res.stdout)
	}
}
