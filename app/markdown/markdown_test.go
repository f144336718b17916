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
