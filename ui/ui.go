// Package ui is Belfry's web UI: server-rendered html/template pages and
// htmx partials, embedded in the binary with their static assets, live over
// /ws/notification/.
//
// Pages are full documents under short paths (/notifications, /tokens…);
// the partials that htmx swaps in live under /ui/…. A page is one template
// in templates/pages/, one handler file, and one entry in the page table
// (routes.go). Handlers read from the stores and change notifications
// through the inbox, which tells every open tab.
package ui

import (
	"cmp"
	"fmt"
	"log/slog"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/app/channels"
	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/email"
	"github.com/belfry/belfry/app/escalation"
	"github.com/belfry/belfry/app/heartbeat"
	"github.com/belfry/belfry/app/hooks"
	"github.com/belfry/belfry/app/quiet"
	"github.com/belfry/belfry/app/webhook"
)

// Deps are the UI's collaborators, filled in by the serve wiring.
type Deps struct {
	Types         *app.Types
	Auth          *auth.Service
	Users         app.UserStore
	Tokens        app.TokenStore
	Notifications app.NotificationStore // reads
	Inbox         app.Inbox             // every change of notification state
	Preferences   app.PreferenceStore
	Mutes         app.MuteStore
	// Routes holds the topic routes of the routing page (administrators).
	Routes app.RouteStore
	// Webhooks serves the webhooks page and Channels the channels pages.
	Webhooks *webhook.Service
	Channels *channels.Service
	// Email is the e-mail channel: the column of the preferences page, the
	// address and the test e-mail.
	Email *email.Service
	// Quiet is the quiet-hours section of the preferences page.
	Quiet *quiet.Service
	// Escalation is its escalation section and a notification's ladder.
	Escalation *escalation.Service
	// Hooks keeps the tokens' custom mappings and signing secrets, edited
	// on the tokens page.
	Hooks *hooks.Service
	// Heartbeats serves the heartbeats page.
	Heartbeats *heartbeat.Service
	// Scheduled serves the scheduled page.
	Scheduled Scheduled
	// FirstRunHint tells the login page how the first admin password was
	// set, e.g. "The admin password was printed once when Belfry first
	// started." Empty: no hint.
	FirstRunHint string
	Logger       *slog.Logger // nil: slog.Default()
	Clock        clock.Clock  // nil: the wall clock; tests use clocktest.Fake
}

// UI serves the pages, the partials and the static assets. It is safe for
// concurrent use.
type UI struct {
	d      Deps
	log    *slog.Logger
	now    func() time.Time
	assets *assets
	tmpl   *templates
}

// New loads the static assets and parses every template once. It fails when
// a template does not parse, so a broken template stops the start-up rather
// than a request.
func New(d Deps) (*UI, error) {
	d.Logger = cmp.Or(d.Logger, slog.Default())
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	if d.Types == nil {
		return nil, fmt.Errorf("ui: Deps.Types is required")
	}
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	u := &UI{d: d, log: d.Logger, now: d.Clock.Now, assets: a}
	if u.tmpl, err = parseTemplates(u.funcs()); err != nil {
		return nil, err
	}
	return u, nil
}
