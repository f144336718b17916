// Package web holds the HTTP conventions every Belfry transport shares: who
// the caller is (Authenticator, RequireUser, RequireAdmin), the one JSON
// error envelope and its kind → status table, strict body decoding with one
// size policy, path ids, the cross-origin guard, the request log and panic
// recovery, and the OpenAPI description of routes. The JSON API, polling,
// webhooks, channels, the sockets and the UI all build on it; it knows
// nothing of any one of them.
package web

import (
	"log/slog"
	"net/http"
	"strconv"

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
	app.ETIMEOUT:         http.StatusRequestTimeout,
	app.EFULL:            http.StatusInsufficientStorage,
	app.EUNAVAILABLE:     http.StatusServiceUnavailable,
	app.EINTERNAL:        http.StatusInternalServerError,
}

// StatusOf returns the HTTP status of err's kind.
func StatusOf(err error) int {
	if st, ok := statuses[app.ErrorKind(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// Envelope is the one JSON error body: {"error":{"code","message"}}.
type Envelope struct {
	Error EnvelopeError `json:"error"`
}

// EnvelopeError is the inside of an Envelope.
type EnvelopeError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// WriteError answers with err in the Envelope and the status of its kind,
// with Retry-After when err says when to retry (SetRetryAfter), and aborts
// the handler chain. Internal errors are logged with the request and shown
// only as "Internal error.".
func WriteError(c *gin.Context, err error) {
	SetRetryAfter(c, err)
	status := StatusOf(err)
	if status == http.StatusInternalServerError {
		Logger(c).Error("request failed",
			"method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
		_ = c.Error(err)
	}
	WriteStatus(c, status, app.ErrorCode(err), app.ErrorMessage(err))
}

// WriteStatus answers status with code and message in the Envelope and
// aborts the handler chain, for answers no error kind describes (503 of
// /readyz).
func WriteStatus(c *gin.Context, status int, code, message string) {
	c.AbortWithStatusJSON(status, Envelope{Error: EnvelopeError{Code: code, Message: message}})
}

// WriteUnready answers 503 for a readiness check that failed with err, in
// the Envelope, and logs err. A full disk is named (STORAGE_FULL and its
// message), so that an operator sees why; any other cause is shown only as
// UNAVAILABLE, without its details.
func WriteUnready(c *gin.Context, err error) {
	Logger(c).Warn("readiness check failed", "err", err)
	code, message := app.CodeUnavailable, "The database is not ready."
	if k := app.ErrorKind(err); k == app.EFULL || k == app.EUNAVAILABLE { // a full disk, the change bus
		code, message = app.ErrorCode(err), app.ErrorMessage(err)
	}
	WriteStatus(c, http.StatusServiceUnavailable, code, message)
}

// SetRetryAfter sets the Retry-After header when err carries a RetryAfter,
// in app.RetrySeconds.
func SetRetryAfter(c *gin.Context, err error) {
	if d := app.ErrorRetryAfter(err); d > 0 {
		c.Header("Retry-After", strconv.Itoa(app.RetrySeconds(d)))
	}
}

const loggerKey = "belfry.logger"

// WithLogger puts logger where WriteError and Logger find it; the server
// installs it once, in front of every route.
func WithLogger(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(loggerKey, logger)
		c.Next()
	}
}

// Logger returns the logger WithLogger installed, slog.Default otherwise.
func Logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Value(loggerKey).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}
