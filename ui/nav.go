package ui

import (
	"strings"

	"github.com/belfry/belfry/app"
)

// page is one section of the UI: its navigation entry (see navigation).
type page struct {
	Path  string // the page's URL and navigation link
	Label string
	Icon  string // an icon template name, see icons.html
	Admin bool   // shown to administrators only
	// Scripts are extra files of static/ (e.g. "channels.js") that the
	// page's documents load after app.js and live.js.
	Scripts []string
}

// scriptsFor returns the extra scripts of the page that serves path.
func scriptsFor(path string) []string {
	for _, p := range navigation {
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
	for _, p := range navigation {
		if p.Admin && (u == nil || !u.IsAdmin) {
			continue
		}
		active := current == p.Path || strings.HasPrefix(current, p.Path+"/")
		out = append(out, navLink{Path: p.Path, Label: p.Label, Icon: p.Icon, Active: active})
	}
	return out
}
