package server

import (
	"net/http"
	"strings"
	"sync"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// route builds the HTTP handler: the middleware every request passes, then
// the routes of every capability in rs, the OpenAPI document of their
// routes, /metrics and the answer to an unknown route: the page notFound
// renders for a browser, the error envelope for everyone else.
func (s *Server) route(notFound gin.HandlerFunc, rs ...router) error {
	cfg := s.Config
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if cfg.Metrics.Enabled {
		// Outermost, so that a panic answered 500 by recovery is counted.
		e.Use(s.Metrics.Middleware())
	}
	e.Use(web.WithLogger(s.Logger), web.Recovery(s.Logger), web.RequestLog(s.Logger),
		web.BodyDeadline(cfg.Server.BodyTimeout.Duration))
	if cfg.Auth.DesktopUser != "" {
		e.Use(web.DesktopSignIn(s.Auth, s.Users, cfg.Auth.DesktopUser, s.Logger))
	}
	// Without trusted proxies ClientIP is the TCP peer: an X-Forwarded-For
	// header from anyone else is ignored.
	if err := e.SetTrustedProxies(cfg.Server.TrustedProxies); err != nil {
		return app.Errorf(app.EINVALID, "server.trusted_proxies: %v", err)
	}
	// Unsafe cross-origin browser requests are refused on every route.
	e.Use(web.CrossOriginGuard(cfg.Server.BaseURL))

	authenticate := web.Authenticate(s.Auth)
	var docs []documented
	for _, r := range rs {
		r.Register(e, authenticate)
		if d, ok := r.(documented); ok {
			docs = append(docs, d)
		}
	}
	// The document (a quarter megabyte of descriptions) is built when it is
	// first asked for, not in every idle server's memory.
	s.doc = sync.OnceValue(func() web.Doc {
		parts := []web.Doc{openAPIDoc()}
		for _, d := range docs {
			parts = append(parts, d.Doc())
		}
		return web.Merge(parts...)
	})
	e.GET(web.OpenAPIPath, web.OpenAPIHandler(s.doc, s.version, e.Routes))
	if cfg.Metrics.Enabled && cfg.Metrics.Listen == "" {
		h := s.Metrics.Handler()
		e.GET("/metrics", authenticate, web.ServeLocal(h), web.RequireUser(app.ScopeAdmin), web.RequireAdmin, gin.WrapH(h))
	}
	e.NoRoute(authenticate, func(c *gin.Context) {
		if isPageRequest(c.Request) {
			notFound(c)
			return
		}
		web.WriteError(c, app.Errorf(app.ENOTFOUND, "No route for %s %s.", c.Request.Method, c.Request.URL.Path))
	})
	s.Handler, s.engine = e, e
	return nil
}

// openAPIDoc describes the routes the server itself serves.
func openAPIDoc() web.Doc {
	return web.Doc{Operations: []web.Operation{
		{Method: "GET", Path: web.OpenAPIPath, Tag: "meta", Summary: "This document.", Status: 200, Result: web.FreeObject("OpenAPI 3 document.")},
	}}
}

// isPageRequest reports whether r is a browser navigating to a page: a GET
// that accepts HTML, outside the API.
func isPageRequest(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html") &&
		!strings.HasPrefix(r.URL.Path, "/api/")
}
