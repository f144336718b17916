// Package api is Belfry's JSON HTTP API on gin: publishing events, the
// in-app notifications API of spec/in-app-notifications-api.txt, object
// mutes, tokens, user administration, login and logout, and health checks.
// Its middleware (Authenticate, RequireUser, CrossOriginGuard) and
// WriteError are shared with the other transports.
package api

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
	"github.com/gin-gonic/gin"
)

// Deps are the API's collaborators, filled in by the serve wiring.
type Deps struct {
	Config        app.Config
	Types         *app.Types
	Auth          *auth.Service
	Users         app.UserStore
	Notifications app.NotificationStore
	Preferences   app.PreferenceStore
	Mutes         app.MuteStore
	Dispatcher    app.Dispatcher
	Changes       app.ChangePublisher             // nil: changes are not published
	Ready         func(ctx context.Context) error // database ping for /readyz; nil: always ready
	Logger        *slog.Logger                    // nil: slog.Default()
	Version       string
}

// Server holds the handlers of the JSON API. It is safe for concurrent use.
type Server struct {
	d            Deps
	log          *slog.Logger
	secureCookie bool
	now          func() time.Time // the clock; tests replace it
}

// New returns a Server over d.
func New(d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	return &Server{d: d, log: d.Logger, secureCookie: secureCookie(d.Config), now: time.Now}
}

// secureCookie decides the session cookie's Secure flag: "true", or "auto"
// with an https base URL.
func secureCookie(c app.Config) bool {
	switch c.Auth.CookieSecure {
	case "true":
		return true
	case "false":
		return false
	}
	u, err := url.Parse(c.Server.BaseURL)
	return err == nil && u.Scheme == "https"
}

// Register adds every route of the API to r. Unsafe cross-origin browser
// requests are refused on all of them (CrossOriginGuard), whether or not the
// caller also installs the guard globally.
func (s *Server) Register(r *gin.Engine) {
	base := r.Group("", s.withLogger(), CrossOriginGuard(s.d.Config.Server.BaseURL))
	base.GET("/healthz", s.handleHealth)
	base.GET("/readyz", s.handleReady)
	base.POST("/login", s.handleLogin)
	base.POST("/logout", s.handleLogout)

	authed := base.Group("", s.Authenticate())
	v1 := authed.Group("/api/v1")
	v1.POST("/events", RequireUser(app.ScopePublish), s.handlePublish)
	v1.GET("/me", RequireUser(app.ScopeClient, app.ScopePublish), s.handleMe)

	// Static segments are registered before the :id routes beside them.
	n := authed.Group("/api/notifications", RequireUser(app.ScopeClient))
	n.GET("", s.handleListNotifications)
	n.DELETE("", s.handleDeleteRead)
	n.POST("/read-all", s.handleMarkAllRead)
	n.PATCH("/read-all", s.handleMarkAllRead)
	n.GET("/preferences", s.handleGetPreferences)
	n.PUT("/preferences", s.handleUpdatePreferences)
	n.GET("/mutes", s.handleListMutes)
	n.POST("/mutes", s.handleCreateMute)
	n.DELETE("/mutes/:id", s.handleDeleteMute)
	n.PATCH("/:id/read", s.handleMarkRead)
	n.DELETE("/:id", s.handleDeleteNotification)

	// Tokens are managed from a browser session or with an admin token: a
	// leaked client or publish token cannot mint or revoke others.
	t := authed.Group("/api/tokens", RequireUser())
	t.GET("", s.handleListTokens)
	t.POST("", s.handleCreateToken)
	t.DELETE("/:id", s.handleRevokeToken)

	u := authed.Group("/api/users", RequireUser(), requireAdmin)
	u.GET("", s.handleListUsers)
	u.POST("", s.handleCreateUser)
	u.PUT("/:id/password", s.handleSetUserPassword)
	u.DELETE("/:id", s.handleDeleteUser)
}

// publish announces a change for the real-time layer, if one is wired.
func (s *Server) publish(ctx context.Context, kind app.ChangeKind, userID string) {
	if s.d.Changes != nil {
		s.d.Changes.Publish(ctx, app.Change{Kind: kind, UserID: userID})
	}
}
