package main

import (
	"strings"
	"testing"
)

func TestFindRuns(t *testing.T) {
	body := `
	x := load(a)
	y := transform(x, b)
	if y.ok() {
		store(y)
	}
	log.Print(y)
	count++
`
	one := parse("one.go", "package p\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"io\"\n\t\"net\"\n\t\"time\"\n\t\"log\"\n)\n\nfunc f() {"+body+"}\n")
	two := parse("two.go", "package p\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"io\"\n\t\"net\"\n\t\"time\"\n\t\"log\"\n)\n\n// g repeats f.\nfunc g() {\n\tprelude()"+body+"}\n")
	runs := findRuns([]*file{one, two}, 6)
	if len(runs) != 1 {
		t.Fatalf("runs %v, want one", runs)
	}
	if got := runs[0].String(); got != "one.go:13-20 ~ two.go:15-22" {
		t.Fatalf("run %s", got)
	}

	// Import blocks, comments and thin idioms are no repeat.
	idiom := "package p\n\nfunc h() error {\n\tif err != nil {\n\t\treturn err\n\t}\n\tif err != nil {\n\t\treturn err\n\t}\n\treturn nil\n}\n"
	if runs := findRuns([]*file{parse("a.go", idiom), parse("b.go", idiom)}, 6); len(runs) != 0 {
		t.Fatalf("idioms counted as repeats: %v", runs)
	}
	// A stretch never repeats itself by overlapping.
	same := parse("s.go", "package p\n"+strings.Repeat("\tcall(x)\n", 8))
	if runs := findRuns([]*file{same}, 6); len(runs) != 0 {
		t.Fatalf("eight equal lines repeat themselves: %v", runs)
	}
	twice := parse("t.go", "package p\n"+strings.Repeat("\tcall(x)\n", 12))
	if runs := findRuns([]*file{twice}, 6); len(runs) != 1 || runs[0].String() != "t.go:2-7 ~ t.go:8-13" {
		t.Fatalf("twelve equal lines: %v, want their two halves", runs)
	}
}
