package ui

import (
	"slices"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// page is one section of the UI: its navigation entry and its routes. Each
// handler file registers its page from an init function, so adding a page
// is one template in templates/pages/ and one handler file.
type page struct {
	Path  string // the page's URL and navigation link
	Label string
	Icon  string // an icon template name, see icons.html
	Order int    // position in the navigation
	Admin bool   // shown to and served for administrators only
	// Scripts are extra files of static/ (e.g. "channels.js") that the
	// page's documents load after app.js and live.js.
	Scripts []string
	// routes adds the page's handlers: full pages on pages, htmx partials
	// (below /ui) on parts. Both groups already require a session.
	routes func(u *UI, pages, parts *gin.RouterGroup)
}

var pagesRegistered []page

// registerPage adds p to the navigation; call it from an init function.
func registerPage(p page) {
	pagesRegistered = append(pagesRegistered, p)
	slices.SortStableFunc(pagesRegistered, func(a, b page) int { return a.Order - b.Order })
}

// pageRegistry returns every registered page in navigation order.
func pageRegistry() []page { return slices.Clone(pagesRegistered) }

// scriptsFor returns the extra scripts of the page that serves path.
func scriptsFor(path string) []string {
	for _, p := range pagesRegistered {
		if path == p.Path || strings.HasPrefix(path, p.Path+"/") {
			return p.Scripts
		}
	}
	return nil
}

// navLink is one entry of the rendered navigation.
type navLink struct {
	Path, Label, Icon string
	Active            bool
}

// navFor returns the navigation a user sees on the page at current.
func navFor(u *app.User, current string) []navLink {
	var out []navLink
	for _, p := range pagesRegistered {
		if p.Admin && (u == nil || !u.IsAdmin) {
			continue
		}
		active := current == p.Path || strings.HasPrefix(current, p.Path+"/")
		out = append(out, navLink{Path: p.Path, Label: p.Label, Icon: p.Icon, Active: active})
	}
	return out
}
