// Package markdown renders notification bodies (plain text or Markdown) to
// sanitised HTML: no script, no event handlers, no javascript: URLs.
package markdown

import (
	"bytes"
	"html"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	engine = goldmark.New(goldmark.WithExtensions(extension.Strikethrough, extension.Linkify, extension.Table))
	policy = newPolicy()
)

func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

// RenderFormat returns the HTML of a body written in format: plain text
// (app.FormatText, "text") escaped as it is, line breaks kept; anything else
// as Markdown (Render).
func RenderFormat(body, format string) string {
	if format != "text" {
		return Render(body)
	}
	if body == "" {
		return ""
	}
	return "<p>" + strings.ReplaceAll(html.EscapeString(body), "\n", "<br>\n") + "</p>"
}

// Render returns the sanitised HTML of body. Raw HTML in body is escaped by
// the Markdown renderer and whatever survives is filtered again by an
// allow-list policy. Safe for concurrent use.
func Render(body string) string {
	if body == "" {
		return ""
	}
	var buf bytes.Buffer
	if err := engine.Convert([]byte(body), &buf); err != nil {
		// goldmark only fails on writer errors; a bytes.Buffer has none.
		return policy.Sanitize(body)
	}
	return policy.Sanitize(buf.String())
}
