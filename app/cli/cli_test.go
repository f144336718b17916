package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

// result is what one run of the command line produced.
type result struct {
	stdout, stderr string
	err            error
}

// code is the exit status main would use.
func (r result) code() int { return ExitCode(r.err) }

// testEnv returns an environment with a fresh database in a temp dir and
// the path of that database.
func testEnv(t *testing.T) ([]string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "belfry.db")
	return []string{"BELFRY_DATABASE_PATH=" + path, "BELFRY_LOG_LEVEL=warn", "BELFRY_SERVER_LISTEN=127.0.0.1:0"}, path
}

// runCLI runs the command line with args, the environment env and stdin.
func runCLI(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	r := &runner{stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr, environ: env, version: "test-1"}
	err := r.run(context.Background(), args)
	return result{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// mustRun runs the command line and fails the test on an error.
func mustRun(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	res := runCLI(t, env, stdin, args...)
	if res.err != nil {
		t.Fatalf("belfry %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), res.err, res.stdout, res.stderr)
	}
	return res
}

// wantFailure checks the exit status of a failed run and that its reason is
// one line containing want.
func wantFailure(t *testing.T, res result, code int, want string) {
	t.Helper()
	if res.err == nil {
		t.Fatalf("no error; want exit %d with %q\nstdout: %s", code, want, res.stdout)
	}
	if res.code() != code {
		t.Fatalf("exit %d (%v), want %d", res.code(), res.err, code)
	}
	reason := Reason(res.err)
	if !strings.Contains(reason, want) {
		t.Fatalf("reason %q does not contain %q", reason, want)
	}
	if strings.Contains(reason, "\n") {
		t.Fatalf("reason %q is not one line", reason)
	}
}

func TestCLIExitCode(t *testing.T) {
	usage := &UsageError{Err: errors.New("bad flag")}
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{usage, 2},
		{fmt.Errorf("context: %w", usage), 2},
		{&UsageError{Err: app.Errorf(app.EINVALID, "bad config")}, 2},
		{app.Errorf(app.EINVALID, "refused by the server"), 1},
		{errors.New("disk on fire"), 1},
	} {
		if got := ExitCode(tc.err); got != tc.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestCLIReason(t *testing.T) {
	ae := app.Errorf(app.ENOTFOUND, "User %q does not exist.", "bob")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{ae, `User "bob" does not exist.`},
		{fmt.Errorf("open: %w", ae), `open: User "bob" does not exist.`},
		{&UsageError{Err: ae}, `User "bob" does not exist.`},
		{errors.New("two\nlines"), "two lines"},
	} {
		if got := Reason(tc.err); got != tc.want {
			t.Errorf("Reason(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestCLIRunUsage(t *testing.T) {
	res := runCLI(t, nil, "")
	wantFailure(t, res, 2, "no command given")
	if !strings.Contains(res.stderr, "Commands:") {
		t.Fatalf("usage not printed on stderr: %q", res.stderr)
	}
	wantFailure(t, runCLI(t, nil, "", "frobnicate"), 2, `unknown command "frobnicate"`)
	wantFailure(t, runCLI(t, nil, "", "user"), 2, "user: no command given")
	wantFailure(t, runCLI(t, nil, "", "user", "rename"), 2, `user: unknown command "rename"`)
	wantFailure(t, runCLI(t, nil, "", "token", "mint"), 2, `token: unknown command "mint"`)

	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		res := mustRun(t, nil, "", args...)
		for _, c := range commands {
			if !strings.Contains(res.stdout, "  "+c.name+" ") {
				t.Errorf("belfry %s does not list %s:\n%s", args[0], c.name, res.stdout)
			}
		}
	}
	if res := mustRun(t, nil, "", "help", "token"); !strings.Contains(res.stdout, "belfry token revoke ID") {
		t.Fatalf("belfry help token: %q", res.stdout)
	}
}

func TestCLIHelpEveryCommand(t *testing.T) {
	cmds := [][]string{{"serve"}, {"user"}, {"token"}, {"notify"}, {"backup"}, {"migrate"}, {"version"}}
	for _, s := range userCommands {
		cmds = append(cmds, []string{"user", s.name})
	}
	for _, s := range tokenCommands {
		cmds = append(cmds, []string{"token", s.name})
	}
	for _, cmd := range cmds {
		for _, flag := range []string{"--help", "-h"} {
			name := strings.Join(cmd, " ")
			t.Run(name+" "+flag, func(t *testing.T) {
				res := mustRun(t, nil, "", append(cmd, flag)...)
				if !strings.HasPrefix(res.stdout, "Usage: belfry "+name) {
					t.Fatalf("help does not start with its usage line:\n%s", res.stdout)
				}
				if len(cmd) == 2 || cmd[0] != "user" && cmd[0] != "token" {
					if !strings.Contains(res.stdout, "--config FILE") {
						t.Fatalf("help does not show --config:\n%s", res.stdout)
					}
				}
			})
		}
	}
}

func TestCLIBadUsage(t *testing.T) {
	env, _ := testEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--port", "80"}, "serve: flag provided but not defined: -port"},
		{[]string{"serve", "extra"}, "usage: belfry serve [--config FILE]"},
		{[]string{"user", "add"}, "usage: belfry user add NAME"},
		{[]string{"user", "add", "a", "b"}, "usage: belfry user add NAME"},
		{[]string{"user", "add", "bad name!"}, `Username "bad name!" must be`},
		{[]string{"user", "add", "--admin=maybe", "x"}, "invalid boolean value"},
		{[]string{"user", "passwd"}, "usage: belfry user passwd NAME"},
		{[]string{"user", "delete"}, "usage: belfry user delete NAME"},
		{[]string{"user", "list", "extra"}, "usage: belfry user list"},
		{[]string{"token", "create"}, "usage: belfry token create USER"},
		{[]string{"token", "create", "bob", "--scope", "root"}, `--scope must be client, publish or admin, not "root"`},
		{[]string{"token", "list"}, "usage: belfry token list USER"},
		{[]string{"token", "revoke"}, "usage: belfry token revoke ID"},
		{[]string{"backup"}, "usage: belfry backup FILE"},
		{[]string{"migrate", "down"}, `migrate: unknown action "down"`},
		{[]string{"migrate", "up", "now"}, "usage: belfry migrate [status|up]"},
		{[]string{"version", "extra"}, "usage: belfry version"},
		{[]string{"version", "--config"}, "flag needs an argument: -config"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			wantFailure(t, runCLI(t, env, "", tc.args...), 2, tc.want)
		})
	}
}

func TestCLIBadConfig(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(bad, []byte("[server]\nlisen = \"x\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	invalid := filepath.Join(dir, "invalid.toml")
	if err := os.WriteFile(invalid, []byte("[database]\ndurability = \"sometimes\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"unknown key", nil, []string{"user", "list", "--config", bad}, `config.toml:2: unknown key "server.lisen"`},
		{"from BELFRY_CONFIG", []string{"BELFRY_CONFIG=" + bad}, []string{"migrate", "status"}, `config.toml:2: unknown key "server.lisen"`},
		{"invalid value", nil, []string{"serve", "--config", invalid}, `database.durability must be full or normal, not "sometimes"`},
		{"missing file", nil, []string{"backup", "--config", filepath.Join(dir, "nope.toml"), "x.db"}, "nope.toml does not exist"},
		{"unknown variable", []string{"BELFRY_SERVER_LISEN=:80"}, []string{"serve"}, "BELFRY_SERVER_LISEN names no configuration key"},
		{"bad variable", []string{"BELFRY_STORM_ENABLED=perhaps"}, []string{"token", "list", "bob"}, `BELFRY_STORM_ENABLED: "perhaps" is not true or false`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantFailure(t, runCLI(t, tc.env, "", tc.args...), 2, tc.want)
		})
	}
}

func TestCLIVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		if res := mustRun(t, nil, "", args...); res.stdout != "belfry test-1\n" {
			t.Fatalf("belfry %s printed %q", args[0], res.stdout)
		}
	}
}
