package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Alerts from Prometheus Alertmanager and Grafana (app/hooks) fire and later
// resolve. A firing alert becomes one notification per recipient; the
// alert store remembers which, so that the resolution marks exactly those
// resolved (Inbox.Resolve) instead of adding a second item.

// AlertKey names one alert of one publisher: the user whose token sent it,
// the hook it came through ("alertmanager", "grafana"), the topic it was
// sent to (two receivers of one alert are told apart) and the alert's
// fingerprint (its label set).
type AlertKey struct {
	PublisherID string
	Source      string
	Topic       string
	Fingerprint string
}

// OpenAlert is a notification a firing alert created that its resolution
// has not reached yet.
type OpenAlert struct {
	NotificationID string
	UserID         string
	// StartsAt is when the alert began firing, as its sender said: a repeat
	// of the same firing carries the same time.
	StartsAt time.Time
}

// AlertStore remembers the notifications of firing alerts until they
// resolve. Rows go with their notification when it is deleted.
type AlertStore interface {
	// OpenAlerts returns the open notifications of key, oldest first.
	OpenAlerts(ctx context.Context, key AlertKey) ([]OpenAlert, error)
	// OpenAlert records that the firing of key that began at startsAt
	// created refs, replacing what an earlier firing of key recorded.
	OpenAlert(ctx context.Context, key AlertKey, startsAt time.Time, refs []NotificationRef) error
	// CloseAlert forgets the notifications of key.
	CloseAlert(ctx context.Context, key AlertKey) error
}

// ResolvedPrefix starts the title of a notification whose alert resolved.
const ResolvedPrefix = "Resolved: "

// ResolvedTitle is the title of a resolved alert's notification: title
// after ResolvedPrefix, within MaxTitleLen; a title that already says so is
// kept.
func ResolvedTitle(title string) string {
	if strings.HasPrefix(title, ResolvedPrefix) {
		return title
	}
	t := ResolvedPrefix + title
	if len(t) <= MaxTitleLen {
		return t
	}
	const ellipsis = "…"
	n := MaxTitleLen - len(ellipsis)
	for n > 0 && !utf8.RuneStart(t[n]) {
		n--
	}
	return t[:n] + ellipsis
}
