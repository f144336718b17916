package markdown_test

import (
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/belfry/belfry/app/markdown"
	"golang.org/x/net/html"
)

// FuzzRender feeds notification bodies to Render and parses what comes out
// as a browser would: no element that runs script or loads a document, no
// event handler or style attribute, and every URL attribute http, https,
// mailto or relative. A plain-text body (RenderFormat "text") comes out as
// paragraphs and line breaks only, its text exactly the body.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"142 mails reçus, 38 archivés cette semaine", // spec/in-app-notifications-api.txt
		"**disk** full on `/var`\n\n- one\n- two",
		"[run](https://ci.example/1) and https://ci.example/2",
		"hi <script>alert(1)</script>",
		`<img src=x onerror=alert(1)>`,
		"[x](javascript:alert(1))",
		"[x](JaVaScRiPt&#58;alert(1))",
		"<a href=\"java\tscript:alert(1)\">x</a>",
		"![i](data:text/html;base64,PHNjcmlwdD4=)",
		"<svg><script>alert(1)</script></svg>",
		"<iframe src=//evil.example></iframe>",
		"| a | b |\n|---|---|\n| <b onclick=x>1</b> | ~~2~~ |",
		"<div style=\"background:url(javascript:alert(1))\">x</div>",
		"[a](<javascript:alert(1)>) [b]: vbscript:x\n\n[b]",
		"<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, body string, text bool) {
		if text {
			checkText(t, body, markdown.RenderFormat(body, "text"))
			return
		}
		out := markdown.Render(body)
		if again := markdown.Render(body); again != out {
			t.Fatalf("Render is not deterministic: %q then %q", out, again)
		}
		if strings.Contains(strings.ToLower(out), "<script") {
			t.Fatalf("Render(%q) = %q contains <script", body, out)
		}
		checkHTML(t, body, out)
	})
}

// Elements a sanitised body must never contain.
var forbiddenTags = map[string]bool{
	"script": true, "style": true, "iframe": true, "frame": true, "frameset": true, "object": true,
	"embed": true, "applet": true, "form": true, "input": true, "button": true, "textarea": true,
	"select": true, "base": true, "meta": true, "link": true, "svg": true, "math": true, "template": true,
}

// Attributes that hold a URL.
var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "cite": true,
	"background": true, "poster": true, "srcset": true, "xlink:href": true, "longdesc": true}

func checkHTML(t *testing.T, body, out string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				t.Fatalf("Render(%q): tokenizer: %v", body, z.Err())
			}
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if forbiddenTags[tok.Data] {
			t.Fatalf("Render(%q) = %q has a <%s> element", body, out, tok.Data)
		}
		for _, a := range tok.Attr {
			key := strings.ToLower(a.Key)
			if strings.HasPrefix(key, "on") || key == "style" || key == "formaction" {
				t.Fatalf("Render(%q) = %q has attribute %s=%q", body, out, a.Key, a.Val)
			}
			if urlAttrs[key] && !safeURL(a.Val) {
				t.Fatalf("Render(%q) = %q has %s=%q", body, out, a.Key, a.Val)
			}
		}
	}
}

// safeURL reports whether a browser would treat v as an http, https or
// mailto URL or a relative one. Browsers drop tabs and newlines and trim
// spaces before reading the scheme.
func safeURL(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
	v = strings.TrimSpace(v)
	scheme, _, ok := strings.Cut(v, ":")
	if !ok || strings.ContainsAny(scheme, "/?#") {
		return true // no scheme: relative
	}
	u, err := url.Parse(v)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// checkText asserts that out, the HTML of the plain-text body, is one <p>
// with a <br> for each line break, whose text a browser shows as the
// body's: the same words, white space collapsed as HTML collapses it.
func checkText(t *testing.T, body, out string) {
	t.Helper()
	if body == "" {
		if out != "" {
			t.Fatalf("RenderFormat(\"\", text) = %q", out)
		}
		return
	}
	var text strings.Builder
	breaks := 0
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			if breaks != strings.Count(body, "\n") {
				t.Fatalf("RenderFormat(%q, text) = %q has %d line breaks", body, out, breaks)
			}
			if got, want := collapse(text.String()), collapse(body); got != want {
				t.Fatalf("RenderFormat(%q, text) = %q shows %q, not %q", body, out, got, want)
			}
			return
		case html.TextToken:
			text.Write(z.Text())
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			switch name, _ := z.TagName(); string(name) {
			case "br":
				breaks++
				text.WriteByte(' ')
			case "p":
			default:
				t.Fatalf("RenderFormat(%q, text) = %q has a <%s>", body, out, name)
			}
		default:
			t.Fatalf("RenderFormat(%q, text) = %q has a %v token", body, out, tt)
		}
	}
}

// collapse is text as HTML lays it out: runs of ASCII white space are one
// space, none at the ends.
func collapse(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(" \t\n\r\f", r) }), " ")
}
