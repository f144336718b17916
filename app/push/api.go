package push

import (
	"image/color"
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Register adds the push routes: the VAPID public key, the caller's
// devices (create, list, delete, test push) and the level icons a pushed
// notification shows.
func (s *Service) Register(r gin.IRouter, authenticate gin.HandlerFunc) {
	r.GET("/push/icons/:file", s.handleIcon)
	registerWebApp(r)
	p := r.Group("/api/push", authenticate, web.RequireUser())
	p.GET("/public-key", s.handlePublicKey)
	p.GET("/subscriptions", s.handleList)
	p.POST("/subscriptions", s.handleCreate)
	p.DELETE("/subscriptions/:id", s.handleDelete)
	p.POST("/subscriptions/:id/test", s.handleTest)
}

func (s *Service) handlePublicKey(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"public_key": s.public, "enabled": s.Enabled()})
}

func (s *Service) handleList(c *gin.Context) {
	subs, err := s.d.Store.ListSubscriptions(c.Request.Context(), web.UserFrom(c).ID)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"subscriptions": subs})
}

// Subscribe validates and stores a device of userID. created is false when
// the device was known (its keys are refreshed).
func (s *Service) Subscribe(c *gin.Context, userID string) (*app.PushSubscription, bool, error) {
	var req subscriptionRequest
	if err := web.DecodeJSON(c, &req, web.Limit(8<<10)); err != nil {
		return nil, false, err
	}
	sub, err := req.subscription(userID)
	if err != nil {
		return nil, false, err
	}
	if sub.Name == "" {
		sub.Name = web.Clip(deviceName(c.Request.UserAgent()), maxName)
	}
	sub.CreatedAt = s.d.Clock.Now()
	created, err := s.d.Store.SaveSubscription(c.Request.Context(), sub)
	return sub, created, err
}

func (s *Service) handleCreate(c *gin.Context) {
	sub, created, err := s.Subscribe(c, web.UserFrom(c).ID)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, sub)
}

func (s *Service) handleDelete(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	if err := s.d.Store.DeleteSubscription(c.Request.Context(), web.UserFrom(c).ID, id); err != nil {
		web.WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Service) handleTest(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	if err := s.SendTest(c.Request.Context(), web.UserFrom(c).ID, id); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"queued": true})
}

// levelColours are the level icons' colours.
var levelColours = map[string]color.RGBA{
	"info.png": {R: 0x1d, G: 0x4e, B: 0xd8, A: 0xff}, "warning.png": {R: 0xb4, G: 0x53, B: 0x09, A: 0xff},
	"error.png": {R: 0xb9, G: 0x1c, B: 0x1c, A: 0xff},
}

// handleIcon serves an icon drawn in code: a level's disc, the app icons,
// the badge.
func (s *Service) handleIcon(c *gin.Context) {
	b, ok := drawnIcons()[c.Param("file")]
	if !ok {
		web.WriteError(c, app.Errorf(app.ENOTFOUND, "No such icon."))
		return
	}
	c.Header("Cache-Control", "public, max-age=86400")
	c.Data(http.StatusOK, "image/png", b)
}

// Doc describes the push routes for the OpenAPI document.
func (s *Service) Doc() web.Doc {
	sub := web.Object("id!", web.UUID(""), "endpoint!", web.Str("The push service URL."), "name!", web.Str("The device's name."),
		"created_at!", web.Time(""), "last_success_at", web.Nullable(web.Time("The latest push the service accepted.")),
		"last_error!", web.Str("Why the latest push failed, if it did."))
	body := web.Object("endpoint!", web.Str("https:// URL of the push service (PushSubscription.endpoint)."),
		"keys!", web.Object("p256dh!", web.Str("base64url P-256 public key, 65 bytes."), "auth!", web.Str("base64url auth secret, 16 bytes.")),
		"name", web.Str("A name for the device; default: from the User-Agent."))
	return web.Doc{Schemas: map[string]web.Schema{"PushSubscription": sub}, Operations: []web.Operation{
		{Method: "GET", Path: "/api/push/public-key", Tag: "push", Auth: web.AnyLogin, Summary: "The VAPID public key to subscribe with.",
			Status: 200, Result: web.Object("public_key!", web.Str("base64url"), "enabled!", web.Bool("")), Errors: web.AuthErrors},
		{Method: "GET", Path: "/api/push/subscriptions", Tag: "push", Auth: web.AnyLogin, Summary: "The caller's devices.",
			Status: 200, Result: web.Object("subscriptions!", web.Array(web.Ref("PushSubscription"))), Errors: web.AuthErrors},
		{Method: "POST", Path: "/api/push/subscriptions", Tag: "push", Auth: web.AnyLogin,
			Summary: "Add a device of the caller (201), or refresh a known one's keys (200).", Body: body,
			Status: 201, Result: web.Ref("PushSubscription"), Errors: web.BodyErrors},
		{Method: "DELETE", Path: "/api/push/subscriptions/:id", Tag: "push", Auth: web.AnyLogin, Summary: "Remove a device of the caller.",
			Status: 204, Errors: append(web.AuthErrors, http.StatusNotFound)},
		{Method: "POST", Path: "/api/push/subscriptions/:id/test", Tag: "push", Auth: web.AnyLogin, Summary: "Queue a test push to a device of the caller.",
			Status: 202, Result: web.Object("queued!", web.Bool("")), Errors: append(web.AuthErrors, http.StatusNotFound, http.StatusConflict)},
	}}
}
