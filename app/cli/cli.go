// Package cli is Belfry's command line: serve, user, token, notify, backup,
// restore, prune, report, migrate and version (README.md, "Command line"),
// and reading the configuration. Run parses the arguments and runs one
// command; serve hands the configuration to server.New.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/belfry/belfry/app"
)

// UsageError is a mistake in how belfry was invoked: an unknown command, a
// bad flag or argument, or a bad configuration. It maps to exit status 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return Reason(e.Err) }

// Unwrap returns the underlying error.
func (e *UsageError) Unwrap() error { return e.Err }

// usagef returns a *UsageError with a formatted message.
func usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// errHelpShown reports that a command printed its help: Run returns nil.
var errHelpShown = errors.New("help shown")

// ExitCode maps an error of Run to the process exit status: 0 for nil, 2
// for a *UsageError, 1 for everything else.
func ExitCode(err error) int {
	var ue *UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		return 2
	default:
		return 1
	}
}

// Reason returns err as one line for a person: an *app.Error inside it is
// shown by its message alone, without the kind.
func Reason(err error) string {
	var ae *app.Error
	msg := err.Error()
	if errors.As(err, &ae) {
		msg = strings.Replace(msg, ae.Error(), ae.Message, 1)
	}
	return strings.Join(strings.Fields(msg), " ")
}

// runner carries what every command reads and writes.
type runner struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	environ        []string
	version        string
}

// command is one top-level command.
type command struct {
	name, summary string
	run           func(r *runner, ctx context.Context, args []string) error
}

var commands = []command{
	{"serve", "run the hub", (*runner).serve},
	{"user", "add, list, change or delete users", (*runner).user},
	{"token", "create, list or revoke API tokens", (*runner).token},
	{"notify", "publish an event to a running server", (*runner).notify},
	{"backup", "write a consistent copy of the database", (*runner).backup},
	{"restore", "replace the database with a backup (server stopped)", (*runner).restore},
	{"prune", "delete old data now, or count it with --dry-run", (*runner).prune},
	{"report", "send or preview the weekly report", (*runner).report},
	{"migrate", "show or apply database migrations", (*runner).migrate},
	{"version", "print the version", (*runner).versionCmd},
}

// Run runs the belfry command named by args (without the program name),
// reading standard input and the environment of the process and writing to
// stdout and stderr. version is what `belfry version` prints. Errors: a
// *UsageError for bad usage or configuration; see ExitCode.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, version string) error {
	r := &runner{stdin: os.Stdin, stdout: stdout, stderr: stderr, environ: os.Environ(), version: version}
	return r.run(ctx, args)
}

func (r *runner) run(ctx context.Context, args []string) error {
	err := r.dispatch(ctx, args)
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

func (r *runner) dispatch(ctx context.Context, args []string) error {
	if len(args) == 0 {
		r.printUsage(r.stderr)
		return usagef("no command given (see belfry --help)")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && args[0] == "help" {
			return r.dispatch(ctx, []string{args[1], "--help"})
		}
		r.printUsage(r.stdout)
		return nil
	case "-v", "-version", "--version":
		return r.versionCmd(ctx, nil)
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(r, ctx, args[1:])
		}
	}
	return usagef("unknown command %q (see belfry --help)", args[0])
}

func (r *runner) printUsage(w io.Writer) {
	fmt.Fprint(w, "Belfry is a self-hosted notification hub.\n\nUsage: belfry COMMAND [FLAGS] [ARGS]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nEvery command takes --config FILE (default: $BELFRY_CONFIG, else built-in defaults).\n"+
		"Run belfry COMMAND --help for the flags of a command.\n")
}

func (r *runner) versionCmd(_ context.Context, args []string) error {
	fs := r.flags("version", "", "Print the version of this belfry binary.")
	if _, err := r.parse(fs, args, 0, 0); err != nil {
		return err
	}
	fmt.Fprintf(r.stdout, "belfry %s\n", r.version)
	return nil
}

// getenv returns the value of the environment variable name.
func (r *runner) getenv(name string) string {
	for _, kv := range r.environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v
		}
	}
	return ""
}
