// Command dupcheck keeps production code from repeating itself: it lists the
// runs of six or more lines that stand, word for word, in two places of the
// non-test Go code under app/, db/ and ui/ (imports, comments, blank lines
// and the thinnest Go idioms — "if err != nil {", "return err", a lone
// brace — do not count), and fails when there are more of them than the
// budget in tools/dupcheck/budget allows. The budget only goes down: when a
// change removes repeats, lower it in the same commit.
//
// Usage: go run ./tools/dupcheck [-budget FILE] [-min N] [DIR...]
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	budgetFile := flag.String("budget", "tools/dupcheck/budget", "file holding the number of repeats allowed")
	minLines := flag.Int("min", 6, "how many lines make a repeat")
	flag.Parse()
	dirs := flag.Args()
	if len(dirs) == 0 {
		dirs = []string{"app", "db", "ui"}
	}
	files, err := sources(dirs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dupcheck:", err)
		os.Exit(2)
	}
	runs := findRuns(files, *minLines)
	for _, r := range runs {
		fmt.Println(r)
	}
	b, err := os.ReadFile(*budgetFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dupcheck:", err)
		os.Exit(2)
	}
	budget, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		fmt.Fprintf(os.Stderr, "dupcheck: %s does not hold a number\n", *budgetFile)
		os.Exit(2)
	}
	switch {
	case len(runs) > budget:
		fmt.Fprintf(os.Stderr, "dupcheck: %d repeated runs of %d+ lines in production code, the budget is %d: call the existing code instead of copying it\n", len(runs), *minLines, budget)
		os.Exit(1)
	case len(runs) < budget:
		fmt.Printf("dupcheck: %d repeated runs, under the budget of %d: lower %s to %d\n", len(runs), budget, *budgetFile, len(runs))
	default:
		fmt.Printf("dupcheck: %d repeated runs, at the budget\n", len(runs))
	}
}

// sources reads every non-test .go file below dirs, sorted by path.
func sources(dirs []string) ([]*file, error) {
	var out []*file
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			out = append(out, parse(path, string(b)))
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
