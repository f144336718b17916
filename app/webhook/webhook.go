// Package webhook delivers notifications to the webhooks users configure —
// Discord, Slack, ntfy and generic JSON signed the Standard Webhooks way —
// through a durable outbox: the Router turns a dispatched notification into
// delivery rows that the dispatcher stores with the notification, and the
// Worker delivers them at least once, with retries over about a day. The
// Service holds the rules of managing webhooks; the API serves them over
// /api/webhooks, and the web UI calls the same Service.
package webhook

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/belfry/belfry/app"
)

// Deps are the collaborators of the Router, the Worker, the Service and the
// API.
type Deps struct {
	// Config supplies webhooks.* (allow_private, timeout, workers,
	// max_attempts, retention), server.base_url for links and
	// notifications.types when Types is nil.
	Config app.Config
	Types  *app.Types
	Store  app.WebhookStore
	Now    func() time.Time // nil: time.Now
	// Client sends deliveries; nil builds one with NewClient. A given client
	// still gets a per-attempt timeout, but not the private-network guard.
	Client *http.Client
	Logger *slog.Logger // nil: slog.Default()
}

// withDefaults fills the optional fields of d.
func (d Deps) withDefaults() Deps {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Types == nil {
		if t, err := app.NewTypes(d.Config.Notifications.Types); err == nil {
			d.Types = t
		} else if t, err = app.NewTypes(nil); err == nil {
			d.Types = t
		}
	}
	c := &d.Config.Webhooks
	if c.Timeout.Duration <= 0 {
		c.Timeout.Duration = 10 * time.Second
	}
	if c.Workers < 1 {
		c.Workers = 4
	}
	if c.MaxAttempts < 1 {
		c.MaxAttempts = 12
	}
	if c.Retention.Duration <= 0 {
		c.Retention.Duration = 30 * 24 * time.Hour
	}
	if d.Client == nil {
		d.Client = NewClient(*c)
	}
	return d
}

// userAgent identifies Belfry to receivers.
const userAgent = "Belfry-Webhooks/1"
