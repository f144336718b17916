package hooks

import (
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
)

// render parses body as a body template and runs it on the JSON input.
func renderBody(t *testing.T, body, input string) (*Preview, error) {
	t.Helper()
	c, err := compile(&app.TokenMapping{Body: body})
	if err != nil {
		return nil, err
	}
	v, err := parseInput([]byte(input), "Input")
	if err != nil {
		t.Fatal(err)
	}
	return c.render(v, []byte(input))
}

// TestTemplateFunctions: what each function of a mapping prints.
func TestTemplateFunctions(t *testing.T) {
	input := `{"n": 12345678901234, "f": 0.5, "zero": 0, "s": " Disk Full ", "b": true, "null": null, "list": ["a", 2, true],
		"obj": {"k": "v"}, "tags": [], "url": "a b&c"}`
	for tmpl, want := range map[string]string{
		`{{.n}} {{.f}} {{.zero}} {{.b}}`:                                   "12345678901234 0.5 0 true",
		`[{{.null}}][{{.missing}}][{{.obj.missing}}]`:                      "[][][]",
		`{{.obj}} {{.list}} {{.tags}}`:                                     `{"k":"v"} ["a",2,true] []`,
		`{{upper .s}}|{{lower .s}}|{{trim .s}}`:                            " DISK FULL | disk full |Disk Full",
		`{{.s | trim | replace "Full" "ok"}}`:                              "Disk ok",
		`{{join ", " .list}}|{{join "," .tags}}`:                           "a, 2, true|",
		`{{.missing | default "none"}} {{.s | default "x"}}`:               "none  Disk Full ",
		`{{.zero | default "x"}} {{.tags | default "no tags"}}`:            "0 no tags",
		`{{json .obj}} {{json .s}}`:                                        `{"k":"v"} " Disk Full "`,
		`{{truncate 6 "abcdefghij"}}`:                                      "abc…",
		`{{printf "%.1f%%|%5s|%d" .f "x" 7}}`:                              "0.5%|    x|7",
		`{{printf "%v" .n}}`:                                               "1.2345678901234e+13",
		`{{if eq .zero 0}}zero{{end}} {{if eq .n 12345678901234}}n{{end}}`: "zero n",
		`{{if eq .s " Disk Full " "x"}}s{{end}}{{if eq .b true}}b{{end}}{{if eq .null nil}}null{{end}}`:     "sbnull",
		`{{if ne .zero "0"}}number is not text{{end}}`:                                                      "number is not text",
		`{{if lt .f 1}}lt{{end}}{{if ge .n 1e13}}ge{{end}}{{if gt "b" "a"}}gt{{end}}{{if le 2 2}}le{{end}}`: "ltgegtle",
		`{{if gt (num "3.5") 3}}num{{end}}`:                                                                 "num",
		`{{contains "Full" .s}} {{hasPrefix " D" .s}} {{hasSuffix "x" .s}}`:                                 "true true false",
		`{{len .list}} {{index .list 0}} {{index .obj "k"}} {{slice .s 1 5}}`:                               "3 a v Disk",
		`{{range $i, $e := .list}}{{$i}}={{$e}};{{end}}`:                                                    "0=a;1=2;2=true;",
		`{{range .obj}}{{.}}{{end}}{{range .tags}}x{{else}}empty{{end}}`:                                    "vempty",
		`{{with .obj}}{{.k}}{{end}}{{with .missing}}x{{else}}none{{end}}`:                                   "vnone",
		`{{html "<b>"}} {{urlquery .url}} {{js "'"}}`:                                                       `&lt;b&gt; a+b%26c \'`,
		`{{print "a" 1 .b}}|{{println "x"}}`:                                                                "a1true|x\n",
		`{{$o := .obj}}{{$o.k}}{{$r := $}}{{$r.s}}`:                                                         "v Disk Full ",
	} {
		p, err := renderBody(t, tmpl, input)
		if err != nil {
			t.Errorf("%s: %v", tmpl, err)
			continue
		}
		if p.Body != want {
			t.Errorf("%s printed %q, want %q", tmpl, p.Body, want)
		}
	}
}

// TestTemplateRules: a template cannot iterate over anything but the
// JSON, nest loops over the whole of it, call templates or functions
// outside the map, or format without bounds.
func TestTemplateRules(t *testing.T) {
	for tmpl, want := range map[string]string{
		`{{range 10}}{{end}}`:                                                "may range over data only",
		`{{range (slice .list 0)}}{{end}}`:                                   "may range over data only",
		`{{range .a.b | len}}{{end}}`:                                        "may range over data only",
		`{{with 1000000}}{{range .}}{{end}}{{end}}`:                          "may use with on data only",
		`{{$n := 5}}`:                                                        "may set variables to data only",
		`{{if $n := len .a}}{{end}}`:                                         "may set variables to data only",
		`{{range .a}}{{range $.a}}{{end}}{{end}}`:                            "inside a range, range over the current element only",
		`{{$a := .a}}{{range .a}}{{range $a}}{{end}}{{end}}`:                 "inside a range, range over the current element only",
		`{{range .a}}{{$r := $}}{{end}}`:                                     "inside a range, set variables to the current element only",
		`{{range .a}}{{with $}}{{end}}{{end}}`:                               "inside a range, use with on the current element only",
		`{{range .a}}{{else}}{{range .b}}{{range $.a}}{{end}}{{end}}{{end}}`: "inside a range, range over the current element only",
		`{{define "t"}}x{{end}}`:                                             "may not define templates",
		`{{block "t" .}}x{{end}}`:                                            "may not define templates",
		`{{template "t"}}`:                                                   "may not call templates",
		`{{exec "ls"}}`:                                                      `function "exec" not defined`,
	} {
		_, err := compile(&app.TokenMapping{Title: tmpl})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", tmpl, err, want)
		}
	}
	// Loops below the current element, in either branch, are fine.
	for _, ok := range []string{
		`{{range .a}}{{range .b}}{{range .}}{{end}}{{end}}{{end}}`,
		`{{range $i, $e := .a}}{{range index . "b"}}{{end}}{{with .c}}{{range .}}{{end}}{{end}}{{end}}`,
		`{{range .a}}{{end}}{{range $.a}}{{end}}{{$x := .b}}{{range $x}}{{end}}`,
		`{{range .a}}{{if $.b}}{{$.b}}{{end}}{{break}}{{end}}`,
	} {
		if _, err := compile(&app.TokenMapping{Title: ok}); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for tmpl, want := range map[string]string{
		`{{printf "%0100d" 1}}`:  "at most 64",
		`{{printf "%.65f" 1.0}}`: "at most 64",
		`{{printf "%*d" 9 1}}`:   "no * widths",
		`{{printf "%[1]d" 1}}`:   "no * widths or [n]",
		`{{call .f}}`:            "call is not available",
		`{{replace "" "x" .s}}`:  "needs text to replace",
		`{{join "," .s}}`:        "join needs an array",
		`{{num .s}}`:             "is not a number",
		`{{if lt .s 1}}{{end}}`:  "lt compares two numbers or two texts",
		`{{if eq .a .a}}{{end}}`: "eq compares text, numbers",
	} {
		_, err := renderBody(t, tmpl, `{"s": "x", "a": [1], "f": null}`)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", tmpl, err, want)
		}
	}
}

// TestTemplateWorkIsBounded: a template that would handle far more text
// than its input stops at the budget; output stops at the field's limit.
func TestTemplateWorkIsBounded(t *testing.T) {
	big := `{"s": "` + strings.Repeat("x", 60<<10) + `", "a": [` + strings.Repeat(`1,`, 2000) + `1]}`
	for _, tmpl := range []string{
		`{{range .a}}{{if eq $.s "y"}}{{end}}{{end}}`,
		`{{range .a}}{{if contains "y" $.s}}{{end}}{{end}}`,
		`{{range .a}}{{if upper $.s}}{{end}}{{end}}`,
		`{{range .a}}{{if printf "%s" $.s}}{{end}}{{end}}`,
		`{{range .a}}{{if replace "x" "yyyyyyyy" $.s}}{{end}}{{end}}`,
	} {
		if _, err := renderBody(t, tmpl, big); err == nil || !strings.Contains(err.Error(), "did too much work") {
			t.Errorf("%s: %v", tmpl, err)
		}
	}
	p, err := renderBody(t, `{{range .a}}{{$.s}}{{end}}`, big)
	if err != nil || len(p.Body) > app.MaxBodyLen || !strings.HasSuffix(p.Body, "…") {
		t.Errorf("a long body is cut: %d bytes, %v", len(p.Body), err)
	}
}

func TestParseTemplateRefusesInvalidUTF8(t *testing.T) {
	if _, err := compile(&app.TokenMapping{Title: "\xff"}); err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
		t.Fatalf("%v", err)
	}
}

// TestVerifySignature: the example of GitHub's "Validating webhook
// deliveries" documentation.
func TestVerifySignature(t *testing.T) {
	const secret, body = "It's a Secret to Everybody", "Hello, World!"
	if err := verifySignature(secret, []byte(body), "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"); err != nil {
		t.Fatal(err)
	}
	if err := verifySignature(secret, []byte(body+" "), "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"); err == nil {
		t.Fatal("a changed body passed")
	}
}
