package webhook

import (
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// maxBodyBytes bounds a webhook request body.
const maxBodyBytes = 16 << 10

// API serves /api/webhooks: a user's webhooks, their test sends and their
// delivery logs. It is safe for concurrent use.
type API struct {
	d     Deps
	hooks *Service
}

// Register adds the routes to r behind authenticate (web.Authenticate).
// Managing webhooks needs a browser session or an admin token: a webhook
// receives every future event, so a leaked client or publish token must not
// be able to add one.
func (a *API) Register(r gin.IRouter, authenticate gin.HandlerFunc) {
	g := r.Group("/api/webhooks", authenticate, web.RequireUser())
	g.GET("", a.handleList)
	g.POST("", a.handleCreate)
	g.GET("/:id", a.handleGet)
	g.PATCH("/:id", a.handleUpdate)
	g.DELETE("/:id", a.handleDelete)
	g.POST("/:id/test", a.handleTest)
	g.POST("/:id/rotate-secret", a.handleRotateSecret)
	g.GET("/:id/deliveries", a.handleDeliveries)
}
