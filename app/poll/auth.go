package poll

import (
	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// requireBearer refuses, before any credential is looked up, a request that
// carries no Authorization header: the polling API is for API tokens only,
// so a browser session cookie on its own gets 401 AUTH_INVALID_TOKEN like a
// missing token. (With the header present, Authenticate ignores cookies.)
func requireBearer(c *gin.Context) {
	if c.GetHeader("Authorization") == "" {
		c.Header("WWW-Authenticate", `Bearer realm="belfry"`)
		web.WriteError(c, app.CodedErrorf(app.EUNAUTHENTICATED, app.CodeInvalidToken,
			"This API needs an \"Authorization: Bearer <token>\" header with a client token; a session cookie is not accepted."))
		return
	}
	c.Next()
}

// rejectPublishToken answers 403 FORBIDDEN for a genuine token of publish
// scope, which may post events but not read notifications. It runs between
// Authenticate and api.RequireUser, which then turns a malformed, unknown or
// revoked token into 401 AUTH_INVALID_TOKEN. Client and admin tokens pass;
// an admin token sees only its owner's notifications, like a client token.
func rejectPublishToken(c *gin.Context) {
	if t := web.TokenFrom(c); t != nil && t.Scope == app.ScopePublish {
		web.WriteError(c, app.Errorf(app.EFORBIDDEN,
			"This is a publish token; the polling API needs a token of client or admin scope."))
		return
	}
	c.Next()
}
