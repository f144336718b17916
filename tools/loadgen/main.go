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
// (docs/contract.md): BELFRY_* variables, `belfry user add`, `belfry token
// create`, the publish API and the WebSocket endpoint.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	if floorChild() {
		return
	}
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
	before    string // an older belfry binary for a "before" column, "" for none
	system    systemOptions
	plan      plan
	target    belfryTarget
	ntfy      string // peer binaries, "" when not measured
	gotify    string
	floor     bool // also measure the floors (floor.go)
	list      bool
	cpuProf   string // write the generator's own CPU profile here, "" for none
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
	fs.StringVar(&o.before, "before", "", "also measure this older belfry binary, in a column of its own (before and after in one run)")
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
	fs.StringVar(&o.target.URL, "url", "", "measure a Belfry already running at this base URL instead of starting one (its own durability and send buffer apply)")
	fs.StringVar(&o.target.DB, "db", "", "with -url: the server's database file, for the user and token commands")
	fs.StringVar(&o.target.Config, "config", "", "with -url: the server's config file, for the user and token commands")
	fs.IntVar(&o.target.PID, "pid", 0, "with -url: the server's process id, for the memory scenario")
	fs.StringVar(&o.target.Body, "body", defaultBody, "Markdown body of every published event")
	fs.StringVar(&o.ntfy, "ntfy", "", "also measure this ntfy binary, built outside the repository (docs/benchmarks.md)")
	fs.StringVar(&o.gotify, "gotify", "", "also measure this Gotify server binary, built outside the repository")
	fs.BoolVar(&o.floor, "floor", false, "also measure the floors: a server in the generator's own binary that only delivers, and one that also syncs each message to disk (what this machine allows any server)")
	fs.BoolVar(&o.list, "list", false, "list the scenarios and exit")
	fs.StringVar(&o.cpuProf, "cpuprofile", "", "write the generator's own CPU profile (not the server's) to this file")
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
	// Servers run in their own directories: a relative path would not name
	// the binary there.
	if o.before != "" && o.target.URL != "" {
		return o, errors.New("-before starts its own server: it does not go with -url")
	}
	for _, bin := range []*string{&o.bin, &o.before, &o.ntfy, &o.gotify} {
		if *bin != "" {
			abs, err := filepath.Abs(*bin)
			if err != nil {
				return o, err
			}
			*bin = abs
		}
	}
	if (o.ntfy != "" || o.gotify != "" || o.floor) && o.plan.Users != 1 {
		return o, errors.New("the peers and the floors are measured with -users 1 only")
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
	if o.cpuProf != "" {
		f, err := os.Create(o.cpuProf)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var contenders []contender
	if o.before != "" {
		old := o.target
		old.Bin = o.before
		contenders = append(contenders, contender{name: "Belfry before", start: startBelfry(old), belfry: true})
	}
	contenders = append(contenders, contender{name: "Belfry", start: startBelfry(o.target), belfry: true})
	if o.ntfy != "" {
		contenders = append(contenders, contender{name: "ntfy tuned", start: startNtfy(o.ntfy)})
	}
	if o.gotify != "" {
		contenders = append(contenders, contender{name: "Gotify WAL", start: startGotify(o.gotify)})
	}
	if o.floor {
		contenders = append(contenders, contender{name: "floor", start: startFloor(false)},
			contender{name: "floor fsync", start: startFloor(true)})
	}
	load := loadAverage()
	t := &table{}
	for _, c := range contenders {
		t.systems = append(t.systems, c.name)
	}
	var failed []string
	for _, sc := range selected {
		cells, errs := measureScenario(ctx, sc, contenders, o, stderr)
		for i, err := range errs {
			if err != nil {
				failed = append(failed, sc.Name+" on "+contenders[i].name)
			}
		}
		t.add(sc.Workload, cells...)
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
