package markdown_test

import (
	"strings"
	"testing"

	"github.com/belfry/belfry/app/markdown"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name, in         string
		want, wantAbsent []string
	}{
		{"emphasis", "**disk** full", []string{"<strong>disk</strong>"}, nil},
		{"link", "[run](https://ci.example/1)", []string{`href="https://ci.example/1"`, `rel="nofollow`}, nil},
		{"script", "hi <script>alert(1)</script>", nil, []string{"<script", "alert(1)</script>"}},
		{"handler", `<img src=x onerror=alert(1)>`, nil, []string{"onerror", "<img"}},
		{"javascript url", "[x](javascript:alert(1))", nil, []string{"javascript:"}},
		{"empty", "", nil, []string{"<p>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := markdown.Render(tt.in)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Render(%q) = %q, want it to contain %q", tt.in, got, w)
				}
			}
			for _, w := range tt.wantAbsent {
				if strings.Contains(got, w) {
					t.Errorf("Render(%q) = %q, must not contain %q", tt.in, got, w)
				}
			}
		})
	}
}

// TestRenderFormat: a plain-text body is shown as written — Markdown and
// HTML stay literal, line breaks stay — and a Markdown body is rendered.
func TestRenderFormat(t *testing.T) {
	for _, c := range []struct{ body, format, want string }{
		{"disk *almost* full\n<b>95%</b> used", "text", "<p>disk *almost* full<br>\n&lt;b&gt;95%&lt;/b&gt; used</p>"},
		{"", "text", ""},
		{"disk *almost* full", "", "<p>disk <em>almost</em> full</p>\n"},
		{"disk *almost* full", "markdown", "<p>disk <em>almost</em> full</p>\n"},
	} {
		if got := markdown.RenderFormat(c.body, c.format); got != c.want {
			t.Errorf("RenderFormat(%q, %q) = %q, want %q", c.body, c.format, got, c.want)
		}
	}
}
