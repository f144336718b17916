package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/webhook"
)

// webhookView is a webhook as the page shows it: never its secret or
// credentials, and its URL redacted.
type webhookView struct {
	ID             string
	Name           string
	Kind           app.WebhookKind
	KindLabel      string
	URL            string // redacted by webhook.RedactURL
	Events         []string
	Enabled        bool
	DisabledReason string
	Auth           string // "none", "basic" or "token"
	AuthUsername   string
	Signed         bool
	FollowsQuiet   bool // quiet hours hold its deliveries
	CreatedAt      time.Time
}

func viewWebhook(w *app.Webhook) webhookView {
	return webhookView{
		ID: w.ID, Name: w.Name, Kind: w.Kind, KindLabel: kindLabel(w.Kind), URL: webhook.RedactURL(w.URL),
		Events: w.Events, Enabled: w.Enabled, DisabledReason: w.DisabledReason, Auth: w.AuthMode(),
		AuthUsername: w.AuthUsername, Signed: w.Secret != "", FollowsQuiet: !w.QuietExempt, CreatedAt: w.CreatedAt,
	}
}

// Subscribes reports whether the webhook receives event, for the edit
// form's checkboxes.
func (v webhookView) Subscribes(event string) bool { return slices.Contains(v.Events, event) }

// deliveryLog is one page of a webhook's delivery log, newest first.
type deliveryLog struct {
	HookID string
	Items  []deliveryRow
	// More is the URL of the next (older) page, "" at the end.
	More string
	// Continued is true for an older page: rows only, no table around.
	Continued bool
}

// deliveryRow is one entry of the delivery log.
type deliveryRow struct {
	*app.WebhookDelivery
}

// Outcome says how the last attempt went, in a few words: "HTTP 200 in
// 12 ms".
func (d deliveryRow) Outcome() string {
	var parts []string
	if d.ResponseCode > 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", d.ResponseCode))
	}
	if d.Attempts > 0 {
		parts = append(parts, fmt.Sprintf("in %d ms", d.DurationMS))
	}
	return strings.Join(parts, " ")
}

// StatusLabel is the delivery's status for people.
func (d deliveryRow) StatusLabel() string {
	switch d.Status {
	case app.DeliveryDelivered:
		return "Delivered"
	case app.DeliveryFailed:
		return "Failed"
	case app.DeliveryPending:
		return "Pending"
	}
	return d.Status
}

// ntfyAuthView is the ntfy authentication part of a webhook form: Editing
// offers to keep the stored credentials (shown by mode and username only).
type ntfyAuthView struct {
	Editing  bool
	Auth     string
	Username string
}

// AuthForm is the authentication part of the webhook's edit form.
func (v webhookView) AuthForm() ntfyAuthView {
	return ntfyAuthView{Editing: true, Auth: v.Auth, Username: v.AuthUsername}
}

// AuthForm is the authentication part of the add form.
func (webhooksPage) AuthForm() ntfyAuthView { return ntfyAuthView{Auth: "none"} }

// eventChoice is one checkbox of a form's events.
type eventChoice struct {
	Name    string
	Checked bool
}

// EventChoices are the add form's events: all of them, checked.
func (v webhooksPage) EventChoices() []eventChoice {
	out := make([]eventChoice, len(v.Events))
	for i, e := range v.Events {
		out[i] = eventChoice{Name: e, Checked: true}
	}
	return out
}

// EventChoices are the edit form's events, those the webhook receives
// checked.
func (c webhookCard) EventChoices() []eventChoice {
	out := make([]eventChoice, len(c.Events))
	for i, e := range c.Events {
		out[i] = eventChoice{Name: e, Checked: c.Hook.Subscribes(e)}
	}
	return out
}
