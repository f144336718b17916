package api

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// handleHealth is GET /healthz: the process is up.
func (s *Server) handleHealth(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// handleReady is GET /readyz: the database answers. A failure is logged
// and answered 503 in the error envelope without its details, except a full
// disk, which is named (STORAGE_FULL) so that an operator sees why.
func (s *Server) handleReady(c *gin.Context) {
	if s.d.Ready != nil {
		if err := s.d.Ready(c.Request.Context()); err != nil {
			s.log.Warn("readiness check failed", "err", err)
			detail := errorDetail{Code: "UNAVAILABLE", Message: "The database is not ready."}
			if app.ErrorKind(err) == app.EFULL {
				detail = errorDetail{Code: app.ErrorCode(err), Message: app.ErrorMessage(err)}
			}
			c.AbortWithStatusJSON(http.StatusServiceUnavailable, errorBody{Error: detail})
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "version": s.d.Version})
}
