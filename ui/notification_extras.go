package ui

import (
	"encoding/json"
	"net/url"

	"github.com/belfry/belfry/app"
	"github.com/kyokomi/emoji/v2"
)

// Bounds on what the inbox shows of a notification's data.
const (
	maxShownTags  = 10
	maxShownLinks = 3
)

// extrasView is what the inbox shows of a notification's data besides its
// title and body, as ntfy's apps do: tags that are emoji short codes
// ("warning", "floppy_disk") as emoji before the title, the other tags as
// chips, and view actions as links. It reads data.tags (strings) and
// data.actions ({action: "view", label, url}), whoever published them.
type extrasView struct {
	Emoji []emojiTag
	Tags  []string
	Links []actionLink
}

type emojiTag struct{ Char, Code string }

type actionLink struct{ Label, URL string }

// extras reads n's data for the inbox; data of another shape shows
// nothing. Only links on the web (http, https) are shown.
func extras(n *app.Notification) extrasView {
	var d struct {
		Tags    []json.RawMessage `json:"tags"`
		Actions []json.RawMessage `json:"actions"`
	}
	var v extrasView
	if json.Unmarshal(n.Data, &d) != nil {
		return v
	}
	codes := emoji.CodeMap()
	for _, raw := range d.Tags {
		var tag string
		if json.Unmarshal(raw, &tag) != nil || tag == "" || len(v.Emoji)+len(v.Tags) >= maxShownTags {
			continue
		}
		if char, ok := codes[":"+tag+":"]; ok {
			v.Emoji = append(v.Emoji, emojiTag{Char: char, Code: tag})
		} else {
			v.Tags = append(v.Tags, tag)
		}
	}
	for _, raw := range d.Actions {
		var a struct{ Action, Label, URL string }
		if json.Unmarshal(raw, &a) != nil || a.Action != "view" || a.Label == "" || !isWebLink(a.URL) || len(v.Links) >= maxShownLinks {
			continue
		}
		v.Links = append(v.Links, actionLink{Label: a.Label, URL: a.URL})
	}
	return v
}

// isWebLink reports whether s is an absolute http(s) URL with a host: the
// only links the inbox makes of a publisher's actions.
func isWebLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
