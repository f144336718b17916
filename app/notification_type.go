package app

import (
	"regexp"
	"sort"
	"strings"
)

// NotificationType is an event type with its preference defaults (in-app,
// toast, e-mail, push) and the webhook event it maps to ("" for none).
type NotificationType struct {
	Name         string `toml:"name"`
	InApp        bool   `toml:"in_app"`
	Toast        bool   `toml:"toast"`
	Email        bool   `toml:"email"`
	Push         bool   `toml:"push"`
	WebhookEvent string `toml:"webhook_event"`
	Description  string `toml:"description"`
}

// MessageType is the built-in type of messages that arrive without one:
// what ntfy and Gotify publishers and alert webhooks send (app/ingest).
const MessageType = "message"

// WeeklyReportType is the built-in type of the weekly report (app/report);
// its e-mail is never batched.
const WeeklyReportType = "weekly_report"

// BuiltinTypes are the six types of the in-app spec with its defaults, and
// MessageType, QuietDigestType and EscalationType.
var BuiltinTypes = []NotificationType{
	{Name: "weekly_report", InApp: true, Toast: false, Email: true, Description: "Weekly report (every Monday)"},
	{Name: "job_completed", InApp: true, Toast: true, WebhookEvent: "job.completed", Description: "When a job completes"},
	{Name: "job_failed", InApp: true, Toast: true, Email: true, Push: true, WebhookEvent: "job.failed", Description: "When a job fails"},
	{Name: "rule_executed", InApp: false, Toast: false, WebhookEvent: "rule.executed", Description: "When a rule executes"},
	{Name: "quota_warning", InApp: true, Toast: false, Push: true, WebhookEvent: "quota.warning", Description: "Storage alert"},
	{Name: "integrity_alert", InApp: true, Toast: false, Email: true, Push: true, WebhookEvent: "integrity.failed", Description: "Integrity issue"},
	{Name: MessageType, InApp: true, Toast: true, Push: true, WebhookEvent: "message.received", Description: "Messages from ntfy, Gotify and alert publishers"},
	{Name: QuietDigestType, InApp: true, Toast: true, Email: true, Push: true, Description: "What quiet hours held back (at the end of a window)"},
	{Name: EscalationType, InApp: true, Toast: true, Email: true, Push: true, Description: "Another user's notification escalated to you (not read in time)"},
}

var typeNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Types is the registry of known notification types: the built-in ones and
// those declared in config. It is read-only after construction and safe for
// concurrent use.
type Types struct {
	list   []NotificationType
	byName map[string]NotificationType
}

// NewTypes builds a registry from the built-in types plus extra. An extra type
// with a bad name, a name ending in "_toast" or a duplicate name is EINVALID.
func NewTypes(extra []NotificationType) (*Types, error) {
	t := &Types{byName: map[string]NotificationType{}}
	for _, nt := range append(append([]NotificationType{}, BuiltinTypes...), extra...) {
		if !typeNamePattern.MatchString(nt.Name) || hasChannelSuffix(nt.Name) {
			return nil, Errorf(EINVALID, "Notification type %q must be lower-case letters, digits and underscores, and must not end in _toast, _email or _push.", nt.Name)
		}
		if _, dup := t.byName[nt.Name]; dup {
			return nil, Errorf(EINVALID, "Notification type %q is declared twice.", nt.Name)
		}
		t.byName[nt.Name] = nt
		t.list = append(t.list, nt)
	}
	return t, nil
}

// Lookup returns the type called name.
func (t *Types) Lookup(name string) (NotificationType, bool) {
	nt, ok := t.byName[name]
	return nt, ok
}

// All returns every type, built-in ones first, in declaration order.
func (t *Types) All() []NotificationType {
	return append([]NotificationType(nil), t.list...)
}

// Names returns the sorted type names.
func (t *Types) Names() []string {
	names := make([]string, 0, len(t.list))
	for _, nt := range t.list {
		names = append(names, nt.Name)
	}
	sort.Strings(names)
	return names
}

// WebhookEvents returns every webhook event name some type maps to.
func (t *Types) WebhookEvents() []string {
	seen := map[string]bool{}
	var out []string
	for _, nt := range t.list {
		if nt.WebhookEvent != "" && !seen[nt.WebhookEvent] {
			seen[nt.WebhookEvent] = true
			out = append(out, nt.WebhookEvent)
		}
	}
	return out
}

// hasChannelSuffix reports whether name ends like a channel's preference
// key, which would make "<type>_toast" ambiguous.
func hasChannelSuffix(name string) bool {
	for _, suffix := range channelSuffixes {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}
