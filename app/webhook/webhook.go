// Package webhook delivers notifications to the webhooks users configure —
// Discord, Slack, ntfy and generic JSON signed the Standard Webhooks way —
// through a durable outbox: the Router turns a dispatched notification into
// delivery rows that the dispatcher stores with the notification, and the
// Worker delivers them at least once, with retries over about a day. The
// Service holds the rules of managing webhooks; the API serves them over
// /api/webhooks, and the web UI calls the same Service.
package webhook

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Deps are the collaborators of the Router, the Worker, the Service and the
// API.
type Deps struct {
	// Config is webhooks.*: allow_private, timeout, workers, max_attempts,
	// retention (app.DefaultConfig has the defaults).
	Config app.WebhooksConfig
	// BaseURL is server.base_url, for links in messages.
	BaseURL string
	Types   *app.Types
	Store   app.WebhookStore
	// Users tells whether a webhook's owner is an admin: admins may read
	// the answers of private-network receivers, and with
	// webhooks.private_admins_only only they may target private networks.
	// nil: nobody is.
	Users Owners
	Clock clock.Clock // nil: the wall clock; tests use clocktest.Fake
	// Client sends deliveries; nil builds two with NewClient, one for admins'
	// webhooks and one for the others'. A given client sends everyone's and
	// still gets a per-attempt timeout, but not the private-network guard.
	Client      *http.Client
	adminClient *http.Client
	Logger      *slog.Logger // nil: slog.Default()
}

// Owners finds the owners of webhooks (app.UserStore does).
type Owners interface {
	FindUserByID(ctx context.Context, id string) (*app.User, error)
}

// withDefaults fills the optional fields of d.
func (d Deps) withDefaults() Deps {
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	d.Logger = cmp.Or(d.Logger, slog.Default())
	d.adminClient = d.Client
	if d.Client == nil {
		d.Client, d.adminClient = NewClient(d.Config, false), NewClient(d.Config, true)
	}
	return d
}

// ownerIsAdmin reports whether the user who owns a webhook is an admin; a
// failed look-up counts as not.
func (d Deps) ownerIsAdmin(ctx context.Context, userID string) bool {
	if d.Users == nil {
		return false
	}
	u, err := d.Users.FindUserByID(ctx, userID)
	if err != nil {
		if app.ErrorKind(err) != app.ENOTFOUND {
			d.Logger.Error("find webhook owner", "user_id", userID, "err", err)
		}
		return false
	}
	return u.IsAdmin
}

// clientFor returns the client for the webhooks of an owner who is an admin
// or not.
func (d Deps) clientFor(admin bool) *http.Client {
	if admin {
		return d.adminClient
	}
	return d.Client
}

// Webhooks is the whole capability, built once from one Deps: the Router
// the dispatcher asks for deliveries, the Worker that sends them, the
// Service that holds the rules of managing webhooks (shared by the JSON API
// and the web UI) and the API that serves /api/webhooks.
type Webhooks struct {
	Router  *Router
	Worker  *Worker
	Service *Service
	API     *API
}

// New builds the capability over d.
func New(d Deps) *Webhooks {
	d = d.withDefaults()
	w := &Webhooks{Router: &Router{d: d}, Worker: newWorker(d)}
	w.Service = &Service{d: d, tests: w.Worker}
	w.API = &API{d: d, hooks: w.Service}
	return w
}

// Register adds the API's routes (API.Register).
func (w *Webhooks) Register(r gin.IRouter, authenticate gin.HandlerFunc) {
	w.API.Register(r, authenticate)
}

// Doc describes the API's routes (API.Doc).
func (w *Webhooks) Doc() web.Doc { return w.API.Doc() }

// Run runs the delivery worker until ctx ends (Worker.Run).
func (w *Webhooks) Run(ctx context.Context) { w.Worker.Run(ctx) }

// userAgent identifies Belfry to receivers.
const userAgent = "Belfry-Webhooks/1"
