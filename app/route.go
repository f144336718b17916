package app

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Route sends what is published on a topic — an ntfy topic, a Gotify
// application, a hook's name — to several users instead of the publisher
// alone, each with their own notification (docs/dialects.md). Only admins
// manage routes.
type Route struct {
	Topic string `json:"topic"`
	// Users are the recipients' usernames, in username order.
	Users []string `json:"users"`
}

// Normalize trims the topic and the usernames.
func (r *Route) Normalize() {
	r.Topic = strings.TrimSpace(r.Topic)
	for i, u := range r.Users {
		r.Users[i] = strings.TrimSpace(u)
	}
}

// Validate checks a normalised route: a valid topic and 1 to MaxRecipients
// well-formed usernames. Whether the users exist is the store's to check.
func (r *Route) Validate() error {
	if err := ValidateTopic(r.Topic); err != nil {
		return err
	}
	if len(r.Users) == 0 {
		return Errorf(EINVALID, "A route names at least one user (delete the route to stop routing %q).", r.Topic)
	}
	if len(r.Users) > MaxRecipients {
		return Errorf(EINVALID, "A route names at most %d users.", MaxRecipients)
	}
	for _, u := range r.Users {
		if err := ValidateUsername(u); err != nil {
			return err
		}
	}
	return nil
}

// ValidateTopic returns EINVALID unless topic can name a route: 1 to
// MaxFieldLen bytes (it is the notifications' service_id) of text without
// "/", control characters or surrounding spaces, and neither "." nor "..",
// so that it fits in a URL path segment.
func ValidateTopic(topic string) error {
	bad := topic == "" || len(topic) > MaxFieldLen || !utf8.ValidString(topic) || topic != strings.TrimSpace(topic) ||
		topic == "." || topic == ".." || strings.ContainsFunc(topic, func(r rune) bool { return r == '/' || unicode.IsControl(r) })
	if bad {
		return Errorf(EINVALID, "A topic must be 1 to %d bytes of text without \"/\", control characters or surrounding spaces, not %q.",
			MaxFieldLen, TruncateUTF8(strings.ToValidUTF8(topic, ""), 64))
	}
	return nil
}

// RouteStore persists routes. Users are named by username in any letter
// case and come back as stored.
type RouteStore interface {
	// PutRoute creates or replaces the route of r.Topic and sets r.Users to
	// the stored names. Errors: EINVALID naming an unknown user.
	PutRoute(ctx context.Context, r *Route) error
	// FindRoute returns the route of topic. Errors: ENOTFOUND.
	FindRoute(ctx context.Context, topic string) (*Route, error)
	// ListRoutes returns every route in topic order.
	ListRoutes(ctx context.Context) ([]*Route, error)
	// DeleteRoute removes the route of topic. Errors: ENOTFOUND.
	DeleteRoute(ctx context.Context, topic string) error
	// RouteUsers returns the usernames topic is routed to, none when it is
	// not routed.
	RouteUsers(ctx context.Context, topic string) ([]string, error)
}
