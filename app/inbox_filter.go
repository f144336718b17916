package app

import (
	"strings"
	"time"
	"unicode/utf8"
)

// InboxParams are the query parameters of the inbox's filters, the same in
// the JSON API (GET /api/notifications) and the web UI.
var InboxParams = []string{"q", "level", "type", "service_id", "project", "read", "before"}

// ParseInboxFilter reads the inbox's filters from get (a query's Get): q (a
// search of title and body), level, type (one of types), service_id,
// project, read (read, unread or all) and before (an RFC 3339 time, or a
// date YYYY-MM-DD meaning that day, UTC, and older). An empty value is an
// absent parameter. Every bad value is EINVALID naming its parameter.
func ParseInboxFilter(get func(string) string, types *Types) (NotificationFilter, error) {
	var f NotificationFilter
	f.Search = strings.TrimSpace(get("q"))
	if len(f.Search) > MaxSearchLen || !utf8.ValidString(f.Search) {
		return f, Errorf(EINVALID, "Parameter q must be text of at most %d bytes.", MaxSearchLen)
	}
	if f.Level = Level(get("level")); f.Level != "" && !f.Level.Valid() {
		return f, Errorf(EINVALID, "Parameter level must be info, warning or error, not %q.", TruncateUTF8(string(f.Level), 64))
	}
	if f.Type = get("type"); f.Type != "" {
		if _, ok := types.Lookup(f.Type); !ok {
			return f, Errorf(EINVALID, "Unknown notification type %q (parameter type).", TruncateUTF8(f.Type, 64))
		}
	}
	f.ServiceID, f.Project = get("service_id"), get("project")
	for _, p := range []struct{ name, v string }{{"service_id", f.ServiceID}, {"project", f.Project}} {
		if len(p.v) > MaxFieldLen || !utf8.ValidString(p.v) {
			return f, Errorf(EINVALID, "Parameter %s must be text of at most %d bytes.", p.name, MaxFieldLen)
		}
	}
	switch get("read") {
	case "", "all":
	case "read":
		f.ReadOnly = true
	case "unread":
		f.UnreadOnly = true
	default:
		return f, Errorf(EINVALID, "Parameter read must be read, unread or all, not %q.", TruncateUTF8(get("read"), 64))
	}
	if v := get("before"); v != "" {
		t, err := parseBefore(v)
		if err != nil {
			return f, Errorf(EINVALID, "Parameter before must be an RFC 3339 time such as 2026-03-30T08:00:00Z or a date such as 2026-03-30, not %q.", TruncateUTF8(v, 64))
		}
		f.CreatedBefore = t
	}
	return f, nil
}

// parseBefore reads before: a time as given, a date as the end of that UTC
// day.
func parseBefore(v string) (time.Time, error) {
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.AddDate(0, 0, 1), nil
	}
	return time.Parse(time.RFC3339, v)
}

// InboxFiltered reports whether f filters by anything ParseInboxFilter
// reads.
func InboxFiltered(f NotificationFilter) bool {
	return f.Search != "" || f.Level != "" || f.Type != "" || f.ServiceID != "" || f.Project != "" ||
		f.ReadOnly || f.UnreadOnly || !f.CreatedBefore.IsZero()
}
