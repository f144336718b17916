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
// never logged, so neither Authorization nor cookies can leak into logs.
func RequestLog(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !logger.Enabled(c.Request.Context(), slog.LevelDebug) {
			c.Next()
			return
		}
		start := time.Now()
		c.Next()
		logger.LogAttrs(c.Request.Context(), slog.LevelDebug, "request",
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", c.Writer.Status()),
			slog.Int("bytes", max(c.Writer.Size(), 0)),
			slog.Duration("duration", time.Since(start)),
			slog.String("client", c.ClientIP()),
		)
	}
}

// Recovery turns a panic in a handler into a logged error with its stack
// and a 500 in the JSON error envelope, instead of gin's plain-text dump.
func Recovery(logger *slog.Logger) gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, rec any) {
		logger.Error("panic while serving a request", "method", c.Request.Method,
			"path", c.Request.URL.Path, "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
		WriteError(c, fmt.Errorf("panic: %v", rec))
	})
}
