package webhook

import (
	"net/url"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
)

// webhookView is a webhook as the API shows it: never its secret or
// credentials, and its URL redacted (see RedactURL).
type webhookView struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Kind           string   `json:"kind"`
	URL            string   `json:"url"`
	Events         []string `json:"events"`
	Enabled        bool     `json:"enabled"`
	DisabledReason string   `json:"disabled_reason,omitempty"`
	Auth           string   `json:"auth"`
	AuthUsername   string   `json:"auth_username,omitempty"`
	Signed         bool     `json:"signed"`
	// FollowsQuietHours: quiet hours hold the deliveries (docs/quiet-hours.md).
	FollowsQuietHours bool      `json:"follows_quiet_hours"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

func viewWebhook(w *app.Webhook) webhookView {
	events := w.Events
	if events == nil {
		events = []string{}
	}
	return webhookView{
		ID: w.ID, Name: w.Name, Kind: string(w.Kind), URL: RedactURL(w.URL), Events: events,
		Enabled: w.Enabled, DisabledReason: w.DisabledReason, Auth: w.AuthMode(), AuthUsername: w.AuthUsername,
		Signed: w.Secret != "", FollowsQuietHours: !w.QuietExempt, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
	}
}

// createdView is the answer to a create: the full URL the caller just sent
// and, for generic webhooks, the signing secret — the only time it is shown.
type createdView struct {
	webhookView
	URL    string `json:"url"`
	Secret string `json:"secret,omitempty"`
}

// RedactURL returns a webhook URL fit for display: the parts that usually
// are credentials are hidden. Discord and Slack put a token in the last path
// segment, an ntfy topic is its own password, and query strings often carry
// keys, so the last segment is cut to four characters and query values are
// replaced. The host and the start of the path stay, so a person can tell
// webhooks apart. A URL that does not parse gives "".
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	out := u.Scheme + "://" + u.Host
	path := u.EscapedPath()
	i := strings.LastIndex(path, "/")
	if last := path[i+1:]; len(last) > 4 {
		path = path[:i+1] + last[:4] + "****"
	}
	out += path
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q[k] = []string{"redacted"}
		}
		out += "?" + q.Encode()
	}
	return out
}

// deliveryView is one entry of the delivery log.
type deliveryView struct {
	ID             string     `json:"id"`
	WebhookID      string     `json:"webhook_id"`
	NotificationID string     `json:"notification_id,omitempty"`
	Event          string     `json:"event"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	NextAttemptAt  *time.Time `json:"next_attempt_at,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
	ResponseCode   int        `json:"response_code,omitempty"`
	DurationMS     int64      `json:"duration_ms"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func viewDelivery(d *app.WebhookDelivery) deliveryView {
	v := deliveryView{
		ID: d.ID, WebhookID: d.WebhookID, NotificationID: d.NotificationID, Event: d.Event, Status: d.Status,
		Attempts: d.Attempts, LastError: d.LastError, ResponseCode: d.ResponseCode, DurationMS: d.DurationMS,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
	if d.Status == app.DeliveryPending {
		next := d.NextAttemptAt
		v.NextAttemptAt = &next
	}
	return v
}
