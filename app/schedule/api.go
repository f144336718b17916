package schedule

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Register serves the caller's scheduled events behind authenticate: a
// browser session, a publish token (the script that scheduled them) or an
// admin token.
func (s *Service) Register(r gin.IRouter, authenticate gin.HandlerFunc) {
	g := r.Group("/api/v1/events/scheduled", authenticate, web.RequireUser(app.ScopePublish))
	g.GET("", s.handleList)
	g.DELETE("/:id", s.handleCancel)
}

// handleList is GET /api/v1/events/scheduled.
func (s *Service) handleList(c *gin.Context) {
	list, err := s.List(c.Request.Context(), web.UserFrom(c).ID)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"scheduled": list})
}

// handleCancel is DELETE /api/v1/events/scheduled/:id.
func (s *Service) handleCancel(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	e, err := s.Cancel(c.Request.Context(), web.UserFrom(c).ID, id, "")
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"cancelled": e})
}
