package server

import (
	"context"

	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Engine returns the gin engine, for tests that add a route of their own
// (a handler that panics) behind the real middleware.
func (s *Server) Engine() *gin.Engine { return s.engine }

// Go runs fn as background work of s.
func (s *Server) Go(fn func(ctx context.Context)) { s.goBackground(fn) }

// OnDrain adds fn to what the start of a shutdown runs.
func (s *Server) OnDrain(fn func()) { s.drainers = append(s.drainers, fn) }

// Routes lists every route the server registered.
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

// Doc describes the routes of every capability, as /api/openapi.json
// serves the registered ones.
func (s *Server) Doc() web.Doc { return s.doc() }
