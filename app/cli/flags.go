package cli

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/belfry/belfry/app"
)

// flagSet is the flags of one command, with the --config that every command
// takes.
type flagSet struct {
	*flag.FlagSet
	name     string // "user add"
	synopsis string // "NAME [--admin] [--password-stdin]"
	about    string
	config   string
}

// flags returns the flag set of the command called name. Parse errors are
// returned, never printed: main prints them as one line.
func (r *runner) flags(name, synopsis, about string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet("belfry "+name, flag.ContinueOnError), name: name, synopsis: synopsis, about: about}
	fs.SetOutput(io.Discard)
	fs.StringVar(&fs.config, "config", "", "configuration `FILE` (default: $BELFRY_CONFIG; none: built-in defaults)")
	return fs
}

// parse parses args, allowing flags before and after the positional
// arguments, and checks that there are between min and max of those (max
// -1: no limit). --help prints the command's help on stdout and returns
// errHelpShown.
func (r *runner) parse(fs *flagSet, args []string, min, max int) ([]string, error) {
	var pos []string
	rest := args
	for len(rest) > 0 {
		before := rest
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.printHelp(r.stdout)
				return nil, errHelpShown
			}
			return nil, usagef("%s: %v (see belfry %s --help)", fs.name, err, fs.name)
		}
		rest = fs.Args()
		if n := len(before) - len(rest); n > 0 && before[n-1] == "--" {
			pos = append(pos, rest...) // "--" ends the flags
			break
		}
		if len(rest) > 0 {
			pos = append(pos, rest[0])
			rest = rest[1:]
		}
	}
	if len(pos) < min || (max >= 0 && len(pos) > max) {
		return nil, usagef("usage: belfry %s %s (see belfry %s --help)", fs.name, fs.synopsis, fs.name)
	}
	return pos, nil
}

func (fs *flagSet) printHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: belfry %s %s\n\n%s\n\nFlags:\n", fs.name, fs.synopsis, fs.about)
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		if arg != "" {
			arg = " " + arg
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" {
			def = fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintf(w, "  --%s%s\n        %s%s\n", f.Name, arg, usage, def)
	})
}

// config loads and validates the configuration named by --config or
// $BELFRY_CONFIG. Errors are *UsageError.
func (r *runner) config(fs *flagSet) (app.Config, error) {
	path := fs.config
	if path == "" {
		path = r.getenv(EnvConfig)
	}
	cfg, err := LoadConfig(path, r.environ)
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		return app.Config{}, &UsageError{Err: err}
	}
	return cfg, nil
}

// readPassword reads one line from standard input, for --password-stdin.
func (r *runner) readPassword() (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r.stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usagef("--password-stdin: no password on standard input")
	}
	if err := app.ValidatePassword(pw); err != nil {
		return "", &UsageError{Err: err}
	}
	return pw, nil
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

// Set appends one value.
func (s *stringList) Set(v string) error {
	*s = append(*s, v)
	return nil
}
