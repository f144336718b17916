package api

import (
	"net/http"

	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// handleHealth is GET /healthz: the process is up.
func (s *Server) handleHealth(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// handleReady is GET /readyz: the database answers and can take writes.
// A failure is answered 503 (web.WriteUnready: a full disk is named).
func (s *Server) handleReady(c *gin.Context) {
	if s.d.Ready != nil {
		if err := s.d.Ready(c.Request.Context()); err != nil {
			web.WriteUnready(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "version": s.d.Version})
}
