package app

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Limits of a published event, documented in README.md.
const (
	MaxTitleLen     = 256
	MaxBodyLen      = 16 * 1024
	MaxDataLen      = 16 * 1024
	MaxURLLen       = 2048
	MaxFieldLen     = 128
	MaxRecipients   = 1000
	MaxEmailSubject = 256
)

// Event is something a script or service publishes; the dispatcher turns it
// into one notification per recipient.
type Event struct {
	Type         string          `json:"type"`
	Title        string          `json:"title"`
	Body         string          `json:"body"`
	Level        Level           `json:"level"`
	Data         json.RawMessage `json:"data"`
	TargetURL    string          `json:"target_url"`
	EmailSubject string          `json:"email_subject"`
	ServiceID    string          `json:"service_id"`
	Project      string          `json:"project"`
	Object       *ObjectRef      `json:"object"`
	// Users names recipients by username; ["*"] means every user. Only
	// admins may name anyone but themselves.
	Users []string `json:"users"`
	// Format says how Body is written: FormatMarkdown ("" means it) or
	// FormatText, plain text shown as it is (what the ntfy and Gotify
	// dialects publish unless the publisher says Markdown).
	Format string `json:"format"`
}

// Body formats of an event and its notifications.
const (
	FormatMarkdown = "markdown"
	FormatText     = "text"
)

// Normalize trims the title and the target URL and fills defaults: level
// info, data {}, a derived email subject; a Markdown body's format is ""
// (FormatMarkdown is the default).
func (e *Event) Normalize() {
	if e.Format == FormatMarkdown {
		e.Format = ""
	}
	e.Title = strings.TrimSpace(e.Title)
	// A header (ntfy's Click) would lose the spaces around a link anyway.
	e.TargetURL = strings.TrimSpace(e.TargetURL)
	if e.Level == "" {
		e.Level = LevelInfo
	}
	if len(bytes.TrimSpace(e.Data)) == 0 || string(bytes.TrimSpace(e.Data)) == "null" {
		e.Data = json.RawMessage("{}")
	}
	if e.EmailSubject == "" {
		e.EmailSubject = "[Belfry] " + e.Title
		if len(e.EmailSubject) > MaxEmailSubject {
			e.EmailSubject = TruncateUTF8(e.EmailSubject, MaxEmailSubject)
		}
	}
}

// Validate checks a normalised event against the type registry. Every problem
// is EINVALID with a message naming the field.
func (e *Event) Validate(types *Types) error {
	if e.Type == "" {
		return Errorf(EINVALID, "Field type is required.")
	}
	if _, ok := types.Lookup(e.Type); !ok {
		return Errorf(EINVALID, "Unknown notification type %q; known types: %s.", e.Type, strings.Join(types.Names(), ", "))
	}
	if e.Title == "" {
		return Errorf(EINVALID, "Field title must not be empty.")
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"title", e.Title, MaxTitleLen}, {"body", e.Body, MaxBodyLen},
		{"target_url", e.TargetURL, MaxURLLen}, {"email_subject", e.EmailSubject, MaxEmailSubject},
		{"service_id", e.ServiceID, MaxFieldLen}, {"project", e.Project, MaxFieldLen},
	} {
		if len(f.value) > f.max {
			return Errorf(EINVALID, "Field %s is longer than %d bytes.", f.name, f.max)
		}
		if !utf8.ValidString(f.value) {
			return Errorf(EINVALID, "Field %s is not valid UTF-8.", f.name)
		}
	}
	if !e.Level.Valid() {
		return Errorf(EINVALID, "Field level must be info, warning or error, not %q.", e.Level)
	}
	if e.Format != "" && e.Format != FormatMarkdown && e.Format != FormatText {
		return Errorf(EINVALID, "Field format must be markdown or text, not %q.", e.Format)
	}
	if len(e.Data) > MaxDataLen {
		return Errorf(EINVALID, "Field data is longer than %d bytes.", MaxDataLen)
	}
	if d := bytes.TrimSpace(e.Data); len(d) == 0 || d[0] != '{' || !json.Valid(d) {
		return Errorf(EINVALID, "Field data must be a JSON object.")
	}
	if e.TargetURL != "" && !LocalPath(e.TargetURL) && !isWebURL(e.TargetURL) {
		return Errorf(EINVALID, "Field target_url must be an absolute http(s) URL or a path on this site starting with a single /.")
	}
	if e.Object != nil {
		if err := e.Object.Validate(); err != nil {
			return err
		}
	}
	if len(e.Users) > MaxRecipients {
		return Errorf(EINVALID, "Field users names more than %d recipients.", MaxRecipients)
	}
	return nil
}

// isWebURL reports whether s is an absolute http or https URL with a host
// and without control characters (url.Parse lets them pass in a fragment;
// a webhook's link header cannot carry them).
func isWebURL(s string) bool {
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// TruncateUTF8 cuts s to at most n bytes without splitting a character.
func TruncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
