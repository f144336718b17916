package ntfy

import (
	"fmt"
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// apiError is ntfy's error answer: {"code","http","error","link"}. Code is
// ntfy's: the HTTP status times 100 plus a number, so clients that switch
// on it (40101 unauthorized, 40007 bad priority, …) see what ntfy sends.
type apiError struct {
	Code    int    `json:"code"`
	HTTP    int    `json:"http"`
	Message string `json:"error"`
	Link    string `json:"link,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

// docs is where ntfy documents what an error is about.
const docs = "https://docs.ntfy.sh/publish/"

// ntfy's errors that Belfry answers, with ntfy's codes and texts.
var (
	errBadRequest       = apiError{40000, http.StatusBadRequest, "invalid request", ""}
	errEmailDisabled    = apiError{40001, http.StatusBadRequest, "e-mail notifications are not enabled", docs + "#e-mail-notifications"}
	errPriorityInvalid  = apiError{40007, http.StatusBadRequest, "invalid priority parameter", docs + "#message-priority"}
	errTopicInvalid     = apiError{40009, http.StatusBadRequest, "invalid request: topic invalid", ""}
	errTopicDisallowed  = apiError{40010, http.StatusBadRequest, "invalid request: topic name is not allowed", ""}
	errNoAttachments    = apiError{40014, http.StatusBadRequest, "invalid request: attachments not allowed", docs + "#attachments"}
	errJSONInvalid      = apiError{40017, http.StatusBadRequest, "invalid request: request body must be message JSON", docs + "#publish-as-json"}
	errActionsInvalid   = apiError{40018, http.StatusBadRequest, "invalid request: actions invalid", docs + "#action-buttons"}
	errIconInvalid      = apiError{40021, http.StatusBadRequest, "invalid request: icon URL is invalid", docs + "#icons"}
	errCallsDisabled    = apiError{40032, http.StatusBadRequest, "invalid request: calling is disabled", docs + "#phone-calls"}
	errUnauthorized     = apiError{40101, http.StatusUnauthorized, "unauthorized", docs + "#authentication"}
	errForbidden        = apiError{40301, http.StatusForbidden, "forbidden", docs + "#authentication"}
	errNotFound         = apiError{40401, http.StatusNotFound, "page not found", ""}
	errJSONTooLarge     = apiError{41303, http.StatusRequestEntityTooLarge, "JSON body too large", ""}
	errInternal         = apiError{50001, http.StatusInternalServerError, "internal server error", ""}
	errUnavailable      = apiError{50301, http.StatusServiceUnavailable, "service unavailable", ""}
	errTemplateDisabled = apiError{40000, http.StatusBadRequest, "invalid request: message templating is not supported", docs + "#message-templating"}
)

// wrap returns e with Belfry's explanation appended the way ntfy adds
// details: "invalid priority parameter; …".
func (e apiError) wrap(format string, args ...any) *apiError {
	e.Message += "; " + fmt.Sprintf(format, args...)
	return &e
}

// fromError turns an error of Belfry's services into ntfy's shape: the
// status of its kind (web.StatusOf, the one table), ntfy's code for that
// status, ntfy's text with Belfry's message as the detail.
func fromError(err error) *apiError {
	if e, ok := err.(*apiError); ok {
		return e
	}
	status := web.StatusOf(err)
	var base apiError
	switch status {
	case http.StatusBadRequest:
		base = errBadRequest
	case http.StatusUnauthorized:
		base = errUnauthorized
	case http.StatusForbidden:
		base = errForbidden
	case http.StatusInternalServerError:
		return &errInternal
	default:
		base = apiError{status*100 + 1, status, http.StatusText(status), ""}
	}
	return base.wrap("%s", app.ErrorMessage(err))
}

// writeError answers err in ntfy's shape and aborts the handler chain.
// Internal errors are logged with the request and shown only as ntfy's
// "internal server error".
func writeError(c *gin.Context, err error) {
	e := fromError(err)
	web.SetRetryAfter(c, err)
	if e.HTTP == http.StatusInternalServerError {
		web.Logger(c).Error("ntfy publish failed", "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
		_ = c.Error(err)
	}
	c.AbortWithStatusJSON(e.HTTP, e)
}
