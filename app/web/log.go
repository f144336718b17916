package web

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
)

// RequestLog logs every request at debug level: method, path (without the
// query string), status, size, duration and client address. Headers are
// never logged, so neither Authorization nor cookies can leak into logs;
// nor are paths that carry a secret (RedactPath), whose route is logged.
func RequestLog(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !logger.Enabled(c.Request.Context(), slog.LevelDebug) {
			c.Next()
			return
		}
		start := time.Now()
		c.Next()
		path := c.Request.URL.Path
		if c.GetBool(redactKey) {
			path = c.FullPath()
		}
		logger.LogAttrs(c.Request.Context(), slog.LevelDebug, "request",
			slog.String("method", c.Request.Method),
			slog.String("path", path),
			slog.Int("status", c.Writer.Status()),
			slog.Int("bytes", max(c.Writer.Size(), 0)),
			slog.Duration("duration", time.Since(start)),
			slog.String("client", c.ClientIP()),
		)
	}
}

const redactKey = "web.redact"

// RedactPath marks the request's path as carrying a secret (a ping key):
// the request log shows its route (/ping/:key) instead.
func RedactPath(c *gin.Context) { c.Set(redactKey, true) }

// Recovery turns a panic in a handler into a logged error with its stack
// and a 500 in the JSON error envelope, instead of gin's plain-text dump.
func Recovery(logger *slog.Logger) gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, rec any) {
		logger.Error("panic while serving a request", "method", c.Request.Method,
			"path", c.Request.URL.Path, "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
		WriteError(c, fmt.Errorf("panic: %v", rec))
	})
}
