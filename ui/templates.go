package ui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/markdown"
)

// templateFiles holds the layout and shared partials (templates/*.html) and
// one file per page (templates/pages/*.html).
//
//go:embed templates
var templateFiles embed.FS

// templates holds the shared set and one set per page: the shared files
// plus the page's own file, which defines "content" and any partials of
// that page. A page's set is a deep copy of the shared one (html/template
// clones every parse tree), about 80 KB each, so it is built when the page
// is first rendered: a hub whose web UI nobody opens never holds them. Every
// set is parsed once at start-up all the same, so a broken template still
// stops the server there.
type templates struct {
	shared *template.Template // renders the shared templates
	// pages builds a page's set on its first call. It clones the shared
	// set as parsed, never the one shared renders with: html/template
	// clones only a set that has not run.
	pages map[string]func() (*template.Template, error)
}

// parseTemplates parses every template and keeps the shared set.
func parseTemplates(funcs template.FuncMap) (*templates, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("ui: parse templates: %w", err)
	}
	files, err := fs.Glob(templateFiles, "templates/pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("ui: list page templates: %w", err)
	}
	shared, err := base.Clone()
	if err != nil {
		return nil, fmt.Errorf("ui: copy the shared templates: %w", err)
	}
	t := &templates{shared: shared, pages: map[string]func() (*template.Template, error){}}
	for _, f := range files {
		if _, err := pageTemplate(base, f); err != nil {
			return nil, err
		}
		t.pages[strings.TrimSuffix(path.Base(f), ".html")] = sync.OnceValues(func() (*template.Template, error) {
			return pageTemplate(base, f)
		})
	}
	return t, nil
}

// pageTemplate parses page file f over a copy of the shared set base.
func pageTemplate(base *template.Template, f string) (*template.Template, error) {
	set, err := base.Clone()
	if err == nil {
		set, err = set.ParseFS(templateFiles, f)
	}
	if err != nil {
		return nil, fmt.Errorf("ui: parse %s: %w", f, err)
	}
	return set, nil
}

// set returns the set of pageName, "" for the shared set.
func (t *templates) set(pageName string) (*template.Template, error) {
	if pageName == "" {
		return t.shared, nil
	}
	build, ok := t.pages[pageName]
	if !ok {
		return nil, fmt.Errorf("ui: no template set %q", pageName)
	}
	return build()
}

// execute renders template name of the page's set ("" for the shared set)
// into a buffer, so a failing template never sends half a page.
func (t *templates) execute(pageName, name string, data any) ([]byte, error) {
	set, err := t.set(pageName)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := set.ExecuteTemplate(&buf, name, data); err != nil {
		return nil, fmt.Errorf("ui: render %s/%s: %w", pageName, name, err)
	}
	return buf.Bytes(), nil
}

// funcs are the template functions. None of them turns user data into
// trusted HTML except markdown, whose output is sanitised.
func (u *UI) funcs() template.FuncMap {
	return template.FuncMap{
		"asset":    u.assets.URL,
		"markdown": func(body string) template.HTML { return template.HTML(markdown.Render(body)) },
		"body": func(n *app.Notification) template.HTML {
			return template.HTML(markdown.RenderFormat(n.Body, n.Format))
		},
		"count":      badgeText,
		"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"date":       func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
		"ago":        func(t time.Time) string { return ago(u.now(), t) },
		"until":      func(t time.Time) string { return until(u.now(), t) },
		"levelName":  levelName,
		"levelIcon":  levelIcon,
		"icon":       icon,
		"external":   isExternal,
		"badge":      func(n int) badgeView { return badgeView{Count: n} },
		"errorAlert": func(msg string) alertView { return alertView{Kind: "error", Message: msg} },
		"initial":    initial,
		"extras":     extras,
		"pathescape": url.PathEscape,
		"quickMutes": quickMutes,
		"item":       itemOf,
		"mutedView":  mutedView,
		"span":       span,
	}
}

// levelName is a level as a word for people: "Info", "Warning", "Error".
func levelName(l app.Level) string {
	if l == "" {
		return ""
	}
	return strings.ToUpper(string(l[:1])) + string(l[1:])
}

// initial is the first letter of a name, upper-cased, for an avatar.
func initial(name string) string {
	for _, r := range name {
		return strings.ToUpper(string(r))
	}
	return "?"
}

// isExternal reports whether a link may leave Belfry: anything but a path
// on this site (app.LocalPath), so "//host/x" and "HTTPS://host" too. Such
// links open in a new tab.
func isExternal(link string) bool { return !app.LocalPath(link) }

// badgeText is the unread count as the badge shows it: "99+" above 99.
func badgeText(n int) string {
	if n > 99 {
		return "99+"
	}
	return strconv.Itoa(n)
}

// ago says how long before now t was, the way an inbox does: "just now",
// "5 min ago", "3 h ago", "yesterday", "4 days ago", then the date.
// until says how soon t comes, rounded to the nearest unit: "in 25 min",
// "in 3 h", "in 2 days".
func until(now, t time.Time) string {
	d := t.Sub(now)
	switch {
	case d < time.Minute:
		return "in less than a minute"
	case d < time.Hour-30*time.Second:
		return fmt.Sprintf("in %d min", int((d+30*time.Second)/time.Minute))
	case d < 48*time.Hour-30*time.Minute:
		return fmt.Sprintf("in %d h", int((d+30*time.Minute)/time.Hour))
	}
	return fmt.Sprintf("in %d days", int((d+12*time.Hour)/(24*time.Hour)))
}

func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	case d < 48*time.Hour:
		return "yesterday"
	case d < 7*24*time.Hour:
		return fmt.Sprintf("%d days ago", int(d/(24*time.Hour)))
	case now.Year() == t.Year():
		return t.UTC().Format("2 Jan")
	}
	return t.UTC().Format("2 Jan 2006")
}
