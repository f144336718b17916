package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// line is one line that counts, with its number in the file.
type line struct {
	text string
	no   int
}

// file is a source file reduced to the lines that count.
type file struct {
	path  string
	lines []line
}

// idioms are lines too thin to make code a copy of other code.
var idioms = regexp.MustCompile(`^(\}|\{|\)|\},|\}\)|\} else \{|return|return nil|return err|return nil, err|return "", err|return false|return true|if err != nil \{|if !ok \{|default:|break|continue)$`)

// parse keeps the lines of src that count: not blank, not comments, not in
// an import declaration.
func parse(path, src string) *file {
	f := &file{path: path}
	inImport, inComment := false, false
	for i, raw := range strings.Split(src, "\n") {
		t := strings.TrimSpace(raw)
		switch {
		case inComment:
			if strings.Contains(t, "*/") {
				inComment = false
			}
			continue
		case strings.HasPrefix(t, "/*"):
			inComment = !strings.Contains(t, "*/")
			continue
		case inImport:
			if t == ")" {
				inImport = false
			}
			continue
		case t == "import (":
			inImport = true
			continue
		case t == "" || strings.HasPrefix(t, "//") || strings.HasPrefix(t, "import ") || strings.HasPrefix(t, "package "):
			continue
		}
		f.lines = append(f.lines, line{text: t, no: i + 1})
	}
	return f
}

// place is where a window of lines starts: file index and line index.
type place struct{ file, at int }

// run is a maximal stretch of lines that two places share.
type run struct {
	a, b   place
	length int
	files  []*file
}

func (r run) String() string {
	fa, fb := r.files[r.a.file], r.files[r.b.file]
	return fmt.Sprintf("%s:%d-%d ~ %s:%d-%d", fa.path, fa.lines[r.a.at].no, fa.lines[r.a.at+r.length-1].no,
		fb.path, fb.lines[r.b.at].no, fb.lines[r.b.at+r.length-1].no)
}

// findRuns returns the maximal runs of at least n identical lines that two
// places share, where at least n/2+1 of the lines are not idioms.
func findRuns(files []*file, n int) []run {
	windows := map[string][]place{}
	for fi, f := range files {
		for i := 0; i+n <= len(f.lines); i++ {
			var key strings.Builder
			for _, l := range f.lines[i : i+n] {
				key.WriteString(l.text)
				key.WriteByte('\n')
			}
			windows[key.String()] = append(windows[key.String()], place{fi, i})
		}
	}
	// Pairs of window starts, grouped by the offset between them so that
	// consecutive windows of one stretch merge into one run.
	type diag struct{ fa, fb, off int }
	starts := map[diag][]int{}
	for _, ps := range windows {
		if len(ps) < 2 {
			continue
		}
		for i := 0; i < len(ps); i++ {
			for j := i + 1; j < len(ps); j++ {
				a, b := ps[i], ps[j]
				if a.file == b.file && b.at-a.at < n {
					continue // a stretch that overlaps itself
				}
				d := diag{a.file, b.file, b.at - a.at}
				starts[d] = append(starts[d], a.at)
			}
		}
	}
	var out []run
	for d, ats := range starts {
		sort.Ints(ats)
		for i := 0; i < len(ats); {
			j := i
			for j+1 < len(ats) && ats[j+1] == ats[j]+1 {
				j++
			}
			r := run{a: place{d.fa, ats[i]}, b: place{d.fb, ats[i] + d.off}, length: ats[j] - ats[i] + n, files: files}
			if substantial(files[d.fa].lines[ats[i]:ats[i]+r.length], n) {
				out = append(out, r)
			}
			i = j + 1
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// substantial reports whether enough of lines are more than idioms.
func substantial(lines []line, n int) bool {
	real := 0
	for _, l := range lines {
		if !idioms.MatchString(l.text) {
			real++
		}
	}
	return real >= n/2+1
}
