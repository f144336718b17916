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

// handleReady is GET /readyz: the database answers. A failure is logged
// and answered 503 in the error envelope without its details.
func (s *Server) handleReady(c *gin.Context) {
	if s.d.Ready != nil {
		if err := s.d.Ready(c.Request.Context()); err != nil {
			web.Logger(c).Warn("readiness check failed", "err", err)
			web.WriteStatus(c, http.StatusServiceUnavailable, "UNAVAILABLE", "The database is not ready.")
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "version": s.d.Version})
}
