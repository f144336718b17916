package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runReport runs the report command directly: the lead adds it to the
// command table.
func runReport(t *testing.T, env []string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	r := &runner{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, environ: env, version: "test-1"}
	err := r.report(context.Background(), args)
	return result{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

func TestReportCommand(t *testing.T) {
	env, _ := testEnv(t)
	env = append(env, "BELFRY_REPORT_TIMEZONE=UTC")
	mustRun(t, env, "password-1\n", "user", "add", "alice", "--password-stdin")
	mustRun(t, env, "password-2\n", "user", "add", "bob", "--password-stdin")

	// Users created now are skipped for weeks before they existed.
	res := runReport(t, env, "--week", "2026-W01")
	if res.err != nil || strings.Count(res.stdout, "skipped") != 2 {
		t.Fatalf("old week: %v\n%s", res.err, res.stdout)
	}
	res = runReport(t, env, "--week", "2099-W01", "--user", "alice", "--dry-run")
	if res.err != nil || !strings.Contains(res.stdout, "== alice, 2099-W01: dry_run\nWeekly report 2099-W01\n\nNo notifications") {
		t.Fatalf("dry run: %v\n%s", res.err, res.stdout)
	}
	res = runReport(t, env, "--week", "2099-W01")
	if res.err != nil || strings.Count(res.stdout, " sent ") != 2 {
		t.Fatalf("send: %v\n%s", res.err, res.stdout)
	}
	res = runReport(t, env, "--week", "2099-W01")
	if res.err != nil || strings.Count(res.stdout, "already_sent") != 2 {
		t.Fatalf("second send: %v\n%s", res.err, res.stdout)
	}
	wantFailure(t, runReport(t, env, "--week", "2026-W60"), 2, "does not exist")
	wantFailure(t, runReport(t, env, "--week", "last"), 2, "must look like 2026-W47")
	wantFailure(t, runReport(t, env, "extra"), 2, "usage: belfry report")
	wantFailure(t, runReport(t, env, "--user", "nobody", "--week", "2099-W01"), 1, "not found")
	wantFailure(t, runReport(t, append(env, "BELFRY_REPORT_TIMEZONE=Mars/Base"), "--week", "2099-W01"), 2, "report.timezone")
}
