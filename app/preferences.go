package app

import (
	"context"
	"strings"
)

// Preferences maps preference keys to their values: "<type>" is the in-app
// channel, "<type>_toast" the toast channel, "<type>_email" the e-mail
// channel and "<type>_push" the Web Push channel of that type.
type Preferences map[string]bool

// InApp reports whether notifications of typ are stored for the user.
func (p Preferences) InApp(typ string) bool { return p[typ] }

// Toast reports whether a new notification of typ is pushed as a toast.
func (p Preferences) Toast(typ string) bool { return p[typ+"_toast"] }

// DefaultPreferences returns every key of every type with its default.
func (t *Types) DefaultPreferences() Preferences {
	p := make(Preferences, 4*len(t.list))
	for _, nt := range t.list {
		p[nt.Name] = nt.InApp
		p[nt.Name+"_toast"] = nt.Toast
		p[nt.Name+"_email"] = nt.Email
		p[nt.Name+"_push"] = nt.Push
	}
	return p
}

// channelSuffixes are the suffixes of the preference keys beside the
// in-app key "<type>", in the order the preferences API lists them.
var channelSuffixes = []string{"_toast", "_email", "_push"}

// ChannelSuffixes returns "" (in-app) and channelSuffixes: every
// preference key of a type is its name with one of them.
func ChannelSuffixes() []string { return append([]string{""}, channelSuffixes...) }

// ValidatePreferenceKey returns EINVALID when key names no preference.
func (t *Types) ValidatePreferenceKey(key string) error {
	name := key
	for _, suffix := range channelSuffixes {
		if n, ok := strings.CutSuffix(key, suffix); ok {
			name = n
			break
		}
	}
	if _, ok := t.byName[name]; !ok {
		return Errorf(EINVALID, "Unknown preference %q.", key)
	}
	return nil
}

// PreferenceStore keeps the preferences a user changed; keys never set keep
// their defaults, so stored maps may be partial.
type PreferenceStore interface {
	// Preferences returns the stored keys of a user (possibly none).
	Preferences(ctx context.Context, userID string) (Preferences, error)
	// PreferencesFor returns the stored keys of several users at once.
	PreferencesFor(ctx context.Context, userIDs []string) (map[string]Preferences, error)
	// UpdatePreferences upserts the given keys of a user.
	UpdatePreferences(ctx context.Context, userID string, changes Preferences) error
}
