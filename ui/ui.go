// Package ui is Belfry's web UI: server-rendered html/template pages and
// htmx partials, embedded in the binary with their static assets, live over
// /ws/notification/ (design.md §8).
//
// Pages are full documents under short paths (/notifications, /tokens…);
// the partials that htmx swaps in live under /ui/…. A page is one template
// in templates/pages/ plus one handler file that registers its routes and
// its navigation entry with registerPage. Handlers call the stores directly
// and publish an app.Change after every change of notification state, as
// the JSON API does, so every open tab is told.
package ui

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/app/channels"
	"github.com/belfry/belfry/app/webhook"
	"github.com/gin-gonic/gin"
)

// Deps are the UI's collaborators, filled in by the serve wiring.
type Deps struct {
	Config        app.Config
	Types         *app.Types
	Auth          *auth.Service
	Users         app.UserStore
	Tokens        app.TokenStore
	Notifications app.NotificationStore
	Preferences   app.PreferenceStore
	Mutes         app.MuteStore
	Changes       app.ChangePublisher // nil: changes are not published
	// Webhooks serves the webhooks page and Channels the channels pages.
	// A page whose collaborator is nil answers "not available".
	Webhooks *webhook.Service
	Channels *channels.Service
	// FirstRunHint tells the login page how the first admin password was
	// set, e.g. "The admin password was printed once when Belfry first
	// started." Empty: no hint.
	FirstRunHint string
	Logger       *slog.Logger     // nil: slog.Default()
	Now          func() time.Time // nil: time.Now
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
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Types == nil {
		return nil, fmt.Errorf("ui: Deps.Types is required")
	}
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	u := &UI{d: d, log: d.Logger, now: d.Now, assets: a}
	if u.tmpl, err = parseTemplates(u.funcs()); err != nil {
		return nil, err
	}
	return u, nil
}

// Register adds the UI's routes to r. authenticate resolves the caller
// (api.Server.Authenticate); pages and partials need a browser session, and
// unsafe methods under /ui/ are refused cross-origin.
func (u *UI) Register(r *gin.Engine, authenticate gin.HandlerFunc) {
	r.GET("/static/:hash/*name", u.assets.serve)
	r.HEAD("/static/:hash/*name", u.assets.serve)

	base := r.Group("", u.securityHeaders, authenticate)
	base.GET("/login", u.handleLoginPage)
	pages := base.Group("", u.requireSession)
	pages.GET("/", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/notifications") })
	parts := base.Group("/ui", api.CrossOriginGuard(u.d.Config.Server.BaseURL), u.requireSession)
	for _, p := range pageRegistry() {
		p.routes(u, pages, parts)
	}
}

// publish announces a change of a user's notifications, if a publisher is
// wired.
func (u *UI) publish(c *gin.Context, kind app.ChangeKind, userID string) {
	if u.d.Changes != nil {
		u.d.Changes.Publish(c.Request.Context(), app.Change{Kind: kind, UserID: userID})
	}
}
