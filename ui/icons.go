package ui

import (
	"fmt"
	"html/template"

	"github.com/belfry/belfry/app"
)

// iconPaths are the UI's line icons, drawn on a 24×24 grid. SVG rather than
// emoji: they look the same on every system and follow the text colour.
var iconPaths = map[string]string{
	"bell":      `<path d="M6 16.5V11a6 6 0 0 1 12 0v5.5l1.5 1.5h-15z"/><path d="M10 20.5a2 2 0 0 0 4 0"/>`,
	"bell-off":  `<path d="M8.5 5.6A6 6 0 0 1 18 11v5.5M6 11v5.5L4.5 18H16"/><path d="M10 20.5a2 2 0 0 0 4 0"/><path d="M3 3l18 18"/>`,
	"sliders":   `<path d="M4 7h9M17 7h3M4 17h3M11 17h9"/><circle cx="15" cy="7" r="2"/><circle cx="9" cy="17" r="2"/>`,
	"key":       `<circle cx="8" cy="15.5" r="3.5"/><path d="M10.5 13 19 4.5M15.5 8l2.5 2.5M13.5 10l1.5 1.5"/>`,
	"users":     `<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20a6.5 6.5 0 0 1 13 0"/><path d="M15.5 4.7a3.5 3.5 0 0 1 0 6.6M18 14.2a6.5 6.5 0 0 1 3.5 5.8"/>`,
	"trash":     `<path d="M4 7h16M9.5 7V4.5h5V7M6 7l1 13h10l1-13M10 11v5.5M14 11v5.5"/>`,
	"check":     `<path d="M5 12.5l4.5 4.5L19 7.5"/>`,
	"pulse":     `<path d="M3 12h4l2.5-6 5 12 2.5-6h4"/>`,
	"check-all": `<path d="M2 12.5l4.5 4.5L15.5 8M12.5 16.5l.5.5L22 8"/>`,
	"external":  `<path d="M14 4h6v6M20 4l-8.5 8.5M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5"/>`,
	"x":         `<path d="M6 6l12 12M18 6 6 18"/>`,
	"search":    `<circle cx="11" cy="11" r="6.5"/><path d="m20 20-4.4-4.4"/>`,
	"info":      `<circle cx="12" cy="12" r="9"/><path d="M12 11v5.5M12 7.5v.01"/>`,
	"warning":   `<path d="M12 3.5 21.5 20h-19z"/><path d="M12 10v4.5M12 17.3v.01"/>`,
	"error":     `<circle cx="12" cy="12" r="9"/><path d="M9 9l6 6M15 9l-6 6"/>`,
	"success":   `<circle cx="12" cy="12" r="9"/><path d="M8 12.5l3 3 5-6"/>`,
	"copy":      `<rect x="8.5" y="8.5" width="11.5" height="11.5" rx="2"/><path d="M15.5 8.5V5a1 1 0 0 0-1-1H5a1 1 0 0 0-1 1v9.5a1 1 0 0 0 1 1h3.5"/>`,
	"inbox":     `<path d="M3 13.5 6 5h12l3 8.5V19a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1z"/><path d="M3 13.5h5l1.5 2.5h5l1.5-2.5h5"/>`,
	"logout":    `<path d="M15 4h3.5a1.5 1.5 0 0 1 1.5 1.5v13a1.5 1.5 0 0 1-1.5 1.5H15M10 8l-4 4 4 4M6 12h10"/>`,
	"plus":      `<path d="M12 5v14M5 12h14"/>`,
	"filter":    `<path d="M4 5h16l-6 7.5V19l-4-2v-4.5z"/>`,
	"offline":   `<path d="M3 3l18 18M8.5 16.5a5 5 0 0 1 7 0M5 12.5a10 10 0 0 1 4.2-2.4M12 7.5a13.7 13.7 0 0 1 9.5 3.5M2.5 9a14 14 0 0 1 3.5-2.2"/><path d="M12 20v.01"/>`,
	"shield":    `<path d="M12 3 4.5 6v5.5c0 4.5 3.2 8 7.5 9.5 4.3-1.5 7.5-5 7.5-9.5V6z"/>`,
	// Webhooks and channels.
	"webhook": `<circle cx="12" cy="6" r="2.5"/><circle cx="6" cy="17" r="2.5"/><circle cx="18" cy="17" r="2.5"/><path d="M10.8 8.2 7.3 14.8M13.2 8.2l3.5 6.6M8.5 17h7"/>`,
	"zap":     `<path d="M13 3 5 13.5h6L10.5 21 19 10h-6z"/>`,
	"refresh": `<path d="M20 11a8 8 0 0 0-14.3-4.5L4 8.5M4 4v4.5h4.5"/><path d="M4 13a8 8 0 0 0 14.3 4.5L20 15.5M20 20v-4.5h-4.5"/>`,
	"chat":    `<path d="M4 5.5A1.5 1.5 0 0 1 5.5 4h13A1.5 1.5 0 0 1 20 5.5v9a1.5 1.5 0 0 1-1.5 1.5H9l-5 4z"/>`,
	"hash":    `<path d="M9.5 4 7.5 20M16.5 4l-2 16M4.5 9h15.5M4 15h15.5"/>`,
	"send":    `<path d="M21 3 10.5 13.5"/><path d="M21 3l-6.5 18-4-7.5L3 9.5z"/>`,
	"reply":   `<path d="M10 6 4 12l6 6"/><path d="M4 12h10a6 6 0 0 1 6 6v1"/>`,
	"edit":    `<path d="M4 20h4L19 9l-4-4L4 16z"/><path d="M13.5 6.5l4 4"/>`,
	"ban":     `<circle cx="12" cy="12" r="9"/><path d="M5.7 5.7l12.6 12.6"/>`,
}

// icon returns the inline SVG of the icon called name, hidden from screen
// readers (the element that holds it carries the words). It panics on an
// unknown name: every template is rendered by a test.
func icon(name string) template.HTML {
	p, ok := iconPaths[name]
	if !ok {
		panic(fmt.Sprintf("ui: unknown icon %q", name))
	}
	return template.HTML(`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" ` +
		`stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">` + p + `</svg>`)
}

// levelIcon is the icon of a notification level.
func levelIcon(l app.Level) string {
	switch l {
	case app.LevelWarning:
		return "warning"
	case app.LevelError:
		return "error"
	}
	return "info"
}
