package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// contender is a column of the table: Belfry or a peer.
type contender struct {
	name   string
	start  starter
	belfry bool // scenarios of Belfry's own settings run only on Belfry
}

// measureScenario runs sc o.runs times on each contender, each run on a
// fresh system, the contenders taking turns so that a noisy moment of the
// machine does not fall on one of them only. It returns the cells of the
// medians and, per contender, the error that ended its runs.
func measureScenario(ctx context.Context, sc scenario, contenders []contender, o options, log io.Writer) ([]string, []error) {
	opts := o.system
	if sc.Options != nil {
		opts = sc.Options(opts)
	}
	runs := make([][]metrics, len(contenders))
	errs := make([]error, len(contenders))
	for k := range o.runs {
		for i, c := range contenders {
			if errs[i] != nil || (sc.Options != nil && !c.belfry) || ctx.Err() != nil {
				continue
			}
			label := fmt.Sprintf("%s on %s, run %d/%d", sc.Name, c.name, k+1, o.runs)
			m, err := measureOnce(ctx, sc, c.start, opts, log, label)
			if err != nil {
				errs[i] = err
				fmt.Fprintf(log, "loadgen: %s: %v\n", label, err)
				continue
			}
			runs[i] = append(runs[i], m)
		}
	}
	cells := make([]string, len(contenders))
	for i := range contenders {
		switch {
		case errs[i] != nil:
			cells[i] = "error: " + strings.SplitN(errs[i].Error(), "\n", 2)[0]
		case len(runs[i]) > 0:
			cells[i] = sc.Cell(medians(runs[i]))
		}
	}
	return cells, errs
}

// measureOnce starts a system, runs sc on it, stops it and logs the run.
func measureOnce(ctx context.Context, sc scenario, start starter, opts systemOptions, log io.Writer, label string) (metrics, error) {
	began := time.Now()
	sys, err := start(ctx, opts)
	if err != nil {
		return nil, err
	}
	serverCPU, _ := cpuSeconds(sys.PID())
	ownCPU, _ := cpuSeconds(0)
	m, notes, err := sc.Run(ctx, sys)
	if err == nil {
		// What each side of loopback spent: the generator's share shows
		// how much of the two cores the measurement itself took.
		if t, err := cpuSeconds(sys.PID()); err == nil && sys.PID() != 0 {
			m["server_cpu_s"] = t - serverCPU
		}
		if t, err := cpuSeconds(0); err == nil {
			m["loadgen_cpu_s"] = t - ownCPU
		}
	}
	logs, stopErr := sys.Stop()
	if err != nil {
		return nil, errors.Join(err, stopErr)
	}
	fmt.Fprintf(log, "loadgen: %s (%s; CPU: server %.1f s, generator %.1f s): %s\n", label, time.Since(began).Round(100*time.Millisecond),
		m["server_cpu_s"], m["loadgen_cpu_s"], sc.Detail(m))
	for _, n := range notes {
		fmt.Fprintf(log, "loadgen:   %s\n", n)
	}
	if logs != nil {
		fmt.Fprintf(log, "loadgen:   server warnings and errors: %s\n", formatCounts(logs))
	}
	return m, stopErr
}
