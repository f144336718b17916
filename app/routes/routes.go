// Package routes serves the admin API of topic routing: an administrator
// routes a topic — an ntfy topic, a Gotify application (the publishing
// token's name), a hook's name — to several users, so that a message
// published there reaches each of them with their own read state
// (docs/dialects.md). The rules live in app.Route and the store; the
// publish dialects read routes through ingest.Routes, and the web UI's
// routing page uses the same store.
package routes

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// API serves /api/v1/routes. It is safe for concurrent use.
type API struct {
	store app.RouteStore
}

// New returns the API over store.
func New(store app.RouteStore) *API { return &API{store: store} }

// Register adds the routes, for administrators only (a browser session or
// an admin token).
func (a *API) Register(r gin.IRouter, authenticate gin.HandlerFunc) {
	g := r.Group("/api/v1/routes", authenticate, web.RequireUser(), web.RequireAdmin)
	g.GET("", a.handleList)
	g.GET("/:topic", a.handleGet)
	g.PUT("/:topic", a.handlePut)
	g.DELETE("/:topic", a.handleDelete)
}

// handleList is GET /api/v1/routes: every route, in topic order.
func (a *API) handleList(c *gin.Context) {
	rs, err := a.store.ListRoutes(c.Request.Context())
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"routes": rs})
}

// topic returns the :topic parameter, or answers 400 and returns false
// when it cannot name a route.
func topic(c *gin.Context) (string, bool) {
	t := c.Param("topic")
	if err := app.ValidateTopic(t); err != nil {
		web.WriteError(c, err)
		return "", false
	}
	return t, true
}

// handleGet is GET /api/v1/routes/:topic.
func (a *API) handleGet(c *gin.Context) {
	t, ok := topic(c)
	if !ok {
		return
	}
	r, err := a.store.FindRoute(c.Request.Context(), t)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// putRequest is the body of PUT /api/v1/routes/:topic.
type putRequest struct {
	Users []string `json:"users"`
}

// handlePut is PUT /api/v1/routes/:topic {users}: create or replace the
// topic's route.
func (a *API) handlePut(c *gin.Context) {
	t, ok := topic(c)
	if !ok {
		return
	}
	var req putRequest
	if err := web.DecodeJSON(c, &req, web.Limit(routeBodyMax)); err != nil {
		web.WriteError(c, err)
		return
	}
	r := &app.Route{Topic: t, Users: req.Users}
	if err := a.store.PutRoute(c.Request.Context(), r); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// routeBodyMax bounds a PUT body: app.MaxRecipients usernames of 64 bytes,
// quoted.
const routeBodyMax = app.MaxRecipients * 70

// handleDelete is DELETE /api/v1/routes/:topic.
func (a *API) handleDelete(c *gin.Context) {
	t, ok := topic(c)
	if !ok {
		return
	}
	if err := a.store.DeleteRoute(c.Request.Context(), t); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, web.OK)
}
