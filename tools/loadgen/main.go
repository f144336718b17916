// Command loadgen is Belfry's live load generator, the measuring instrument
// of issue 12: it starts the real `belfry serve` binary (or is pointed at a
// running one), listens with many WebSocket clients on /ws/notification/ in
// its own process, publishes through POST /api/v1/events over loopback, and
// prints a markdown table of what it measured — frames delivered and lost,
// sockets dropped as slow, order, publish → receive latency, publish rate and
// the server's resident memory.
//
// Every run of a workload gets a fresh server with a fresh database,
// durability full unless told otherwise and storm prevention off, so that
// every publish produces a full frame. The figures are medians of -runs runs.
//
//	go run ./tools/loadgen                      # every scenario once
//	go run ./tools/loadgen -scenario fanout -runs 3
//	go run ./tools/loadgen -list
//
// The generator talks to Belfry only through its external contract
// (design.md §6): BELFRY_* variables, `belfry user add`, `belfry token
// create`, the publish API and the WebSocket endpoint.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		stop()
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	scenarios []string
	runs      int
	bin       string
	system    systemOptions
	plan      plan
	target    belfryTarget
	list      bool
}

// defaultBody is the Markdown body of every published event: the server
// renders and sanitises it for each notification frame.
const defaultBody = "Load generator message with **bold** text, `code` and a [link](https://example.com/loadgen)."

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	names := fs.String("scenario", "all", "comma-separated scenarios to run, or all (see -list)")
	fs.IntVar(&o.runs, "runs", 1, "runs of each scenario; the table shows medians")
	fs.StringVar(&o.bin, "bin", "", "the belfry binary (default: build it from the module containing the working directory)")
	fs.StringVar(&o.system.Durability, "durability", "full", "database.durability of the servers started: full or normal")
	fs.Func("server-env", "extra KEY=VALUE for the servers started (repeatable)", func(s string) error {
		if !strings.Contains(s, "=") {
			return fmt.Errorf("want KEY=VALUE, got %q", s)
		}
		o.system.Env = append(o.system.Env, s)
		return nil
	})
	fs.BoolVar(&o.system.Keep, "keep", false, "keep each run's directory (database, server.log)")
	fs.IntVar(&o.plan.Users, "users", 1, "users the sockets of the delivery scenarios are spread over (1: one user's sockets, like one ntfy topic)")
	fs.DurationVar(&o.plan.Duration, "duration", 10*time.Second, "length of each paced latency scenario")
	fs.DurationVar(&o.plan.Settle, "settle", 2*time.Second, "a delivery ends when all frames arrived or none has for this long")
	fs.StringVar(&o.target.URL, "url", "", "measure a Belfry already running at this base URL instead of starting one")
	fs.StringVar(&o.target.DB, "db", "", "with -url: the server's database file, for the user and token commands")
	fs.StringVar(&o.target.Config, "config", "", "with -url: the server's config file, for the user and token commands")
	fs.IntVar(&o.target.PID, "pid", 0, "with -url: the server's process id, for the memory scenario")
	fs.StringVar(&o.target.Body, "body", defaultBody, "Markdown body of every published event")
	fs.BoolVar(&o.list, "list", false, "list the scenarios and exit")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if o.runs < 1 || o.plan.Users < 1 {
		return o, errors.New("-runs and -users must be at least 1")
	}
	if o.system.Durability != "full" && o.system.Durability != "normal" {
		return o, fmt.Errorf("-durability must be full or normal, not %q", o.system.Durability)
	}
	if *names != "all" {
		o.scenarios = strings.Split(*names, ",")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	all := scenarios(o.plan)
	if o.list {
		for _, s := range all {
			fmt.Fprintf(stdout, "%-12s %s\n", s.Name, s.Workload)
		}
		return nil
	}
	selected, err := pick(all, o.scenarios)
	if err != nil {
		return err
	}
	if limit, err := raiseFileLimit(); err != nil {
		fmt.Fprintf(stderr, "loadgen: open-file limit unchanged (%v)\n", err)
	} else if limit < 2100 {
		fmt.Fprintf(stderr, "loadgen: open-file limit is %d: the memory scenario needs over 2,000 (raise the hard limit, ulimit -Hn)\n", limit)
	}
	if o.bin == "" {
		dir, err := os.MkdirTemp("", "belfry-loadgen-bin-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		fmt.Fprintln(stderr, "loadgen: building belfry")
		if o.bin, err = buildBelfry(ctx, filepath.Join(dir, "belfry"), true, false); err != nil {
			return err
		}
	}
	o.target.Bin = o.bin
	start := startBelfry(o.target)
	load := loadAverage()
	t := &table{systems: []string{"Belfry"}}
	var failed []string
	for _, sc := range selected {
		cell, err := measureScenario(ctx, sc, start, o, stderr)
		if err != nil {
			failed = append(failed, sc.Name)
			fmt.Fprintf(stderr, "loadgen: %s: %v\n", sc.Name, err)
		}
		t.add(sc.Workload, cell)
		if ctx.Err() != nil {
			break
		}
	}
	fmt.Fprintln(stdout, header(o, load, loadAverage()))
	fmt.Fprintln(stdout)
	t.render(stdout)
	if len(failed) > 0 {
		return fmt.Errorf("failed: %s", strings.Join(failed, ", "))
	}
	return ctx.Err()
}

// pick returns the scenarios named, in table order; none named is all.
func pick(all []scenario, names []string) ([]scenario, error) {
	if len(names) == 0 {
		return all, nil
	}
	var out []scenario
	for _, s := range all {
		if slices.Contains(names, s.Name) {
			out = append(out, s)
		}
	}
	for _, n := range names {
		if !slices.ContainsFunc(all, func(s scenario) bool { return s.Name == n }) {
			return nil, fmt.Errorf("unknown scenario %q (see -list)", n)
		}
	}
	return out, nil
}

// measureScenario runs sc o.runs times, each on a fresh system, and returns
// the cell of the medians; a failed run ends the scenario.
func measureScenario(ctx context.Context, sc scenario, start starter, o options, log io.Writer) (string, error) {
	opts := o.system
	if sc.Options != nil {
		opts = sc.Options(opts)
	}
	var runs []metrics
	for i := range o.runs {
		m, err := measureOnce(ctx, sc, start, opts, log, fmt.Sprintf("%s run %d/%d", sc.Name, i+1, o.runs))
		if err != nil {
			return "error: " + strings.SplitN(err.Error(), "\n", 2)[0], err
		}
		runs = append(runs, m)
	}
	return sc.Cell(medians(runs)), nil
}

// measureOnce starts a system, runs sc on it, stops it and logs the run.
func measureOnce(ctx context.Context, sc scenario, start starter, opts systemOptions, log io.Writer, label string) (metrics, error) {
	began := time.Now()
	sys, err := start(ctx, opts)
	if err != nil {
		return nil, err
	}
	m, notes, err := sc.Run(ctx, sys)
	logs, stopErr := sys.Stop()
	if err != nil {
		return nil, errors.Join(err, stopErr)
	}
	fmt.Fprintf(log, "loadgen: %s (%s): %s\n", label, time.Since(began).Round(100*time.Millisecond), sc.Detail(m))
	for _, n := range notes {
		fmt.Fprintf(log, "loadgen:   %s\n", n)
	}
	if logs != nil {
		fmt.Fprintf(log, "loadgen:   server warnings and errors: %s\n", formatCounts(logs))
	}
	return m, stopErr
}

// buildBelfry builds the belfry binary of the module containing the working
// directory to out and returns out. release builds it as `make build` does
// (static, nomsgpack); otherwise with the test's own race setting, so that
// a test reuses the packages `go test` has just compiled.
func buildBelfry(ctx context.Context, out string, release, race bool) (string, error) {
	mod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(mod)))
	args := []string{"build", "-o", out}
	env := os.Environ()
	if race {
		args = append(args, "-race")
	}
	if release {
		args = append(args, "-tags", "nomsgpack", "-trimpath")
		env = append(env, "CGO_ENABLED=0")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, ".")...)
	cmd.Dir, cmd.Env = root, env
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build in %s: %v\n%s", root, err, b)
	}
	return out, nil
}

// header is the paragraph above the table: what was run where, and how busy
// the machine was.
func header(o options, loadBefore, loadAfter string) string {
	commit, _ := exec.Command("git", "describe", "--always", "--dirty").Output()
	host, _ := os.Hostname()
	return fmt.Sprintf("Belfry %s, %s, on %s (%d cores, %s); load average %s before, %s after. "+
		"Durability %s, storm prevention off, one user's sockets unless -users, medians of %d run(s); "+
		"server and clients on one host over loopback, clients in the generator's process.",
		strings.TrimSpace(string(commit)), time.Now().Format("2006-01-02 15:04"), host, runtime.NumCPU(), runtime.Version(),
		loadBefore, loadAfter, o.system.Durability, o.runs)
}

// loadAverage is the 1, 5 and 15 minute load average (Linux), or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " / ")
}
