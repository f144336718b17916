package gotify

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// errorBody is Gotify's error shape: the status text, the status and a
// sentence.
type errorBody struct {
	Error            string `json:"error"`
	ErrorCode        int    `json:"errorCode"`
	ErrorDescription string `json:"errorDescription"`
}

// writeError answers err in Gotify's error shape with the status of its
// kind (web.StatusOf), with Retry-After when err says when to retry, and
// aborts the chain. Internal errors are logged and shown only as
// "Internal error.".
func writeError(c *gin.Context, err error) {
	web.SetRetryAfter(c, err)
	status := web.StatusOf(err)
	if status == http.StatusInternalServerError {
		web.Logger(c).Error("gotify request failed", "path", c.Request.URL.Path, "err", err)
		_ = c.Error(err)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: http.StatusText(status), ErrorCode: status, ErrorDescription: app.ErrorMessage(err)})
}
