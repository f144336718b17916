package api

import (
	"log/slog"
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// statuses is the one table from error kinds to HTTP statuses.
var statuses = map[string]int{
	app.EINVALID:         http.StatusBadRequest,
	app.EUNAUTHENTICATED: http.StatusUnauthorized,
	app.EFORBIDDEN:       http.StatusForbidden,
	app.ENOTFOUND:        http.StatusNotFound,
	app.ECONFLICT:        http.StatusConflict,
	app.ETOOLARGE:        http.StatusRequestEntityTooLarge,
	app.ERATELIMIT:       http.StatusTooManyRequests,
	app.EFULL:            http.StatusInsufficientStorage,
	app.EINTERNAL:        http.StatusInternalServerError,
}

// StatusOf returns the HTTP status of err's kind.
func StatusOf(err error) int {
	if st, ok := statuses[app.ErrorKind(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// errorBody is the one JSON error envelope.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// WriteError answers with err in the envelope {"error":{"code","message"}}
// and the status of its kind, and aborts the handler chain. Internal errors
// are logged with the request and shown only as "Internal error.". Callers
// set headers such as Retry-After before calling it.
func WriteError(c *gin.Context, err error) {
	status := StatusOf(err)
	if status == http.StatusInternalServerError {
		loggerFrom(c).Error("request failed",
			"method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
		_ = c.Error(err)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{Code: app.ErrorCode(err), Message: app.ErrorMessage(err)}})
}

const loggerKey = "belfry.logger"

// withLogger puts the server's logger where WriteError finds it.
func (s *Server) withLogger() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(loggerKey, s.log)
		c.Next()
	}
}

func loggerFrom(c *gin.Context) *slog.Logger {
	if v, ok := c.Get(loggerKey); ok {
		if l, ok := v.(*slog.Logger); ok {
			return l
		}
	}
	return slog.Default()
}
