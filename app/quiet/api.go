package quiet

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Register serves the caller's quiet hours beside their preferences.
func (s *Service) Register(r gin.IRouter, authenticate gin.HandlerFunc) {
	g := r.Group("/api/notifications/quiet-hours", authenticate, web.RequireUser(app.ScopeClient))
	g.GET("", s.handleGet)
	g.PUT("", s.handlePut)
	d := r.Group("/api/notifications/digests", authenticate, web.RequireUser(app.ScopeClient))
	d.GET("", s.handleGetDigests)
	d.PUT("", s.handlePutDigests)
}

// digestsBody is the body of GET and PUT /api/notifications/digests.
type digestsBody struct {
	Digests []app.TypeDigest `json:"digests"`
}

func (s *Service) handleGetDigests(c *gin.Context) {
	ds, err := s.TypeDigests(c.Request.Context(), web.UserFrom(c).ID)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, digestsBody{Digests: ds})
}

// handlePutDigests replaces the caller's type digests.
func (s *Service) handlePutDigests(c *gin.Context) {
	var body digestsBody
	if err := web.DecodeJSON(c, &body); err != nil {
		web.WriteError(c, err)
		return
	}
	if err := s.SetTypeDigests(c.Request.Context(), web.UserFrom(c).ID, body.Digests); err != nil {
		web.WriteError(c, err)
		return
	}
	s.handleGetDigests(c)
}

func (s *Service) handleGet(c *gin.Context) {
	q, err := s.Get(c.Request.Context(), web.UserFrom(c).ID)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, q)
}

// handlePut replaces the caller's quiet hours: timezone ("" or absent: the
// server's), windows (none: quiet hours off), breakthrough (absent: error).
func (s *Service) handlePut(c *gin.Context) {
	var q app.QuietHours
	if err := web.DecodeJSON(c, &q); err != nil {
		web.WriteError(c, err)
		return
	}
	user := web.UserFrom(c)
	if err := s.Set(c.Request.Context(), user.ID, q); err != nil {
		web.WriteError(c, err)
		return
	}
	s.handleGet(c)
}

// Doc describes the quiet-hours routes.
func (s *Service) Doc() web.Doc {
	days := web.Array(web.Enum("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
	window := web.Object("days!", days, "start!", web.Str("HH:MM in the zone, 00:00 to 23:59."),
		"end!", web.Str("HH:MM; not after start means the next day (22:00 to 07:00 crosses midnight)."))
	quiet := web.Object("timezone", web.Str("IANA zone such as Europe/Paris, or Local; empty: the server's (report.timezone)."),
		"windows", web.Array(web.Ref("QuietWindow")),
		"breakthrough", web.Enum(string(app.LevelInfo), string(app.LevelWarning), string(app.LevelError)))
	digest := web.Object("type!", web.Str("A notification type."),
		"every_minutes", web.Int("5 to 720, aligned on midnight in the caller's zone (60: hourly)."),
		"daily_at", web.Str("HH:MM in the caller's zone; give this or every_minutes."))
	digests := web.Object("digests!", web.Array(web.Ref("TypeDigest")))
	return web.Doc{Schemas: map[string]web.Schema{"QuietWindow": window, "QuietHours": quiet, "TypeDigest": digest}, Operations: []web.Operation{
		{Method: "GET", Path: "/api/notifications/digests", Tag: "notifications", Auth: web.AnyLogin,
			Summary: "The types the caller collects into periodic digests.",
			Status:  200, Result: digests, Errors: web.AuthErrors},
		{Method: "PUT", Path: "/api/notifications/digests", Tag: "notifications", Auth: web.AnyLogin,
			Summary: "Replace the caller's type digests; none delivers every type one by one.", Body: digests,
			Status: 200, Result: digests, Errors: web.BodyErrors},
		{Method: "GET", Path: "/api/notifications/quiet-hours", Tag: "notifications", Auth: web.AnyLogin,
			Summary: "The caller's quiet hours: zone, weekly windows and the level that breaks through.",
			Status:  200, Result: web.Ref("QuietHours"), Errors: web.AuthErrors},
		{Method: "PUT", Path: "/api/notifications/quiet-hours", Tag: "notifications", Auth: web.AnyLogin,
			Summary: "Replace the caller's quiet hours; no windows turns them off.", Body: web.Ref("QuietHours"),
			Status: 200, Result: web.Ref("QuietHours"), Errors: web.BodyErrors},
	}}
}
