// Package api is Belfry's JSON HTTP API on gin: publishing events, the
// in-app notifications API of spec/in-app-notifications-api.txt, object
// mutes, tokens, user administration, login and logout, and health checks.
// It writes notification state through the inbox and reads it from the
// store; the HTTP conventions it shares with the other transports live in
// app/web.
package api

import (
	"cmp"
	"context"
	"net/url"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Deps are the API's collaborators, filled in by the server's wiring.
type Deps struct {
	// Server and Auth are the config sections the API reads: the base URL
	// decides the session cookie's Secure flag with auth.cookie_secure.
	Server        app.ServerConfig
	AuthConfig    app.AuthConfig
	Types         *app.Types
	Auth          *auth.Service
	Users         app.UserStore
	Notifications app.NotificationStore // reads
	Inbox         app.Inbox             // every change of notification state
	Preferences   app.PreferenceStore
	Mutes         app.MuteStore
	Dispatcher    app.Dispatcher
	Scheduler     app.Scheduler                   // publishes for later (deliver_at, delay); nil: refused
	Ready         func(ctx context.Context) error // /readyz; nil: always ready
	Version       string
	Clock         clock.Clock // nil: the wall clock; tests use clocktest.Fake
	// LoginRefused answers a browser's form login refused with 429 or 503
	// (err says why and when to retry) with the login page, keeping next;
	// nil: the error envelope.
	LoginRefused func(c *gin.Context, err error, next string)
}

// Server holds the handlers of the JSON API. It is safe for concurrent use.
type Server struct {
	d            Deps
	secureCookie bool
}

// New returns a Server over d.
func New(d Deps) *Server {
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	return &Server{d: d, secureCookie: secureCookie(d.AuthConfig.CookieSecure, d.Server.BaseURL)}
}

// secureCookie decides the session cookie's Secure flag: "true", or "auto"
// with an https base URL.
func secureCookie(setting, baseURL string) bool {
	switch setting {
	case "true":
		return true
	case "false":
		return false
	}
	u, err := url.Parse(baseURL)
	return err == nil && u.Scheme == "https"
}

// Register adds every route of the API to r; authenticate resolves the
// caller (web.Authenticate).
func (s *Server) Register(r gin.IRouter, authenticate gin.HandlerFunc) {
	r.GET("/healthz", s.handleHealth)
	r.GET("/readyz", s.handleReady)
	r.POST("/login", s.handleLogin)
	r.POST("/logout", s.handleLogout)

	authed := r.Group("", authenticate)
	v1 := authed.Group("/api/v1")
	v1.POST("/events", web.RequireUser(app.ScopePublish), s.handlePublish)
	v1.GET("/me", web.RequireUser(app.ScopeClient, app.ScopePublish), s.handleMe)
	v1.PUT("/me/password", web.RequireUser(), s.handleChangeOwnPassword)

	// Static segments are registered before the :id routes beside them.
	n := authed.Group("/api/notifications", web.RequireUser(app.ScopeClient))
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
	t := authed.Group("/api/tokens", web.RequireUser())
	t.GET("", s.handleListTokens)
	t.POST("", s.handleCreateToken)
	t.DELETE("/:id", s.handleRevokeToken)

	u := authed.Group("/api/users", web.RequireUser(), web.RequireAdmin)
	u.GET("", s.handleListUsers)
	u.POST("", s.handleCreateUser)
	u.PUT("/:id/password", s.handleSetUserPassword)
	u.DELETE("/:id", s.handleDeleteUser)
}
