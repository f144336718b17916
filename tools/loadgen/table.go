package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// table is the markdown table of a whole run: one row per scenario, one
// column per system.
type table struct {
	systems []string
	rows    []tableRow
}

type tableRow struct {
	workload string
	cells    []string // by system
}

// add appends a row.
func (t *table) add(workload string, cells ...string) {
	t.rows = append(t.rows, tableRow{workload: workload, cells: cells})
}

// render writes the table in markdown.
func (t *table) render(w io.Writer) {
	fmt.Fprintf(w, "| workload | %s |\n", strings.Join(t.systems, " | "))
	fmt.Fprintf(w, "|---|%s\n", strings.Repeat("---|", len(t.systems)))
	for _, r := range t.rows {
		fmt.Fprintf(w, "| %s | %s |\n", r.workload, strings.Join(r.cells, " | "))
	}
}

// medians returns, for every figure, its median over runs.
func medians(runs []metrics) metrics {
	values := map[string][]float64{}
	for _, m := range runs {
		for k, v := range m {
			values[k] = append(values[k], v)
		}
	}
	out := metrics{}
	for k, vs := range values {
		out[k] = median(vs)
	}
	return out
}

// median is the middle value of xs, or the mean of the middle two.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
