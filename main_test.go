package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/belfry/belfry/app/cli"
)

// mainArgsVar makes the test binary run main() with these arguments
// (separated by newlines) instead of the tests: the tests below start it as
// a child process to see real exit statuses and output. The name must not
// start with BELFRY_, which the configuration reserves.
const mainArgsVar = "MAIN_TEST_ARGS"

func TestMain(m *testing.M) {
	// Started through a link called belfry (see belfryOnPath), the test
	// binary is the belfry command with its own arguments.
	if filepath.Base(os.Args[0]) == "belfry" {
		main()
		return
	}
	if args, ok := os.LookupEnv(mainArgsVar); ok {
		os.Args = append([]string{"belfry"}, strings.Split(args, "\n")...)
		main()
		return
	}
	os.Exit(m.Run())
}

// belfry returns a command running main with args in a clean environment
// plus env.
func belfry(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BELFRY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, mainArgsVar+"="+strings.Join(args, "\n"))
	cmd.Env = append(cmd.Env, env...)
	cmd.Dir = t.TempDir()
	return cmd
}

func TestRunExitStatuses(t *testing.T) {
	dir := t.TempDir()
	badConfig := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(badConfig, []byte("[server]\nlisen = \"x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := "BELFRY_DATABASE_PATH=" + filepath.Join(dir, "belfry.db")
	for _, tc := range []struct {
		name   string
		env    []string
		args   []string
		code   int
		stderr string // the whole of stderr
	}{
		{"version", nil, []string{"version"}, 0, ""},
		{"unknown command", nil, []string{"frobnicate"}, 2, "belfry: unknown command \"frobnicate\" (see belfry --help)\n"},
		{"bad flag", nil, []string{"version", "--verbose"}, 2, "belfry: version: flag provided but not defined: -verbose (see belfry version --help)\n"},
		{"bad config", nil, []string{"serve", "--config", badConfig}, 2, "belfry: " + badConfig + ":2: unknown key \"server.lisen\"\n"},
		{"bad environment", []string{"BELFRY_STORM_ENABLED=perhaps"}, []string{"serve"}, 2,
			"belfry: environment variable BELFRY_STORM_ENABLED: \"perhaps\" is not true or false.\n"},
		{"runtime failure", []string{db}, []string{"user", "delete", "nobody"}, 1, "belfry: User \"nobody\" does not exist.\n"},
		{"help", nil, []string{"--help"}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := belfry(t, tc.env, tc.args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code || stderr.String() != tc.stderr {
				t.Fatalf("exit %d, stderr %q; want %d, %q", code, stderr.String(), tc.code, tc.stderr)
			}
		})
	}
}

func TestRunVersionDefault(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"version"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "belfry dev\n" {
		t.Fatalf("version printed %q", stdout.String())
	}
	if err := run(context.Background(), []string{"nope"}, &stdout, &stderr); cli.ExitCode(err) != 2 {
		t.Fatalf("unknown command: %v", err)
	}
}

// TestServeStopsOnSIGTERM runs the real process and stops it the way a
// service manager does.
func TestRunServeStopsOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	cmd := belfry(t, []string{"BELFRY_DATABASE_PATH=" + filepath.Join(dir, "belfry.db"), "BELFRY_SERVER_LISTEN=127.0.0.1:0"}, "serve")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	listening := false
	for !listening && sc.Scan() {
		listening = strings.HasPrefix(sc.Text(), "Belfry listening on http://127.0.0.1:")
	}
	if !listening {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("serve did not start:\n%s", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exited with %v after SIGTERM:\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Fatalf("no graceful shutdown logged:\n%s", stderr.String())
	}
}
