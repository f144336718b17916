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
// mailto or relative.
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
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
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
