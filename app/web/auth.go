package web

import (
	"context"
	"slices"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
	"github.com/gin-gonic/gin"
)

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "belfry_session"

// Context keys set by Authenticate.
const (
	userKey       = "belfry.user"
	tokenKey      = "belfry.token"
	credentialKey = "belfry.credential"
	authErrKey    = "belfry.auth_error"
	authDoneKey   = "belfry.auth_done"
)

// Credentials resolves what a request presents: an API token's secret or a
// session cookie (auth.Service).
type Credentials interface {
	TokenUser(ctx context.Context, secret string) (*app.User, *app.Token, error)
	SessionUser(ctx context.Context, cookie string) (*app.User, error)
}

// Authenticate returns the middleware that resolves the caller from an
// "Authorization: Bearer" token or, without one, from the session cookie,
// and stores the user (and token) for UserFrom and TokenFrom. It never
// rejects a request: a failed credential is remembered and reported by
// RequireUser. Running it twice on one request is harmless.
func Authenticate(creds Credentials) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, done := c.Get(authDoneKey); done {
			c.Next()
			return
		}
		c.Set(authDoneKey, true)
		ctx := c.Request.Context()
		if h := c.GetHeader("Authorization"); h != "" {
			secret, ok := Bearer(h)
			if !ok {
				c.Set(authErrKey, app.CodedErrorf(app.EUNAUTHENTICATED, app.CodeInvalidToken, "The Authorization header must be \"Bearer <token>\"."))
				c.Next()
				return
			}
			u, t, err := creds.TokenUser(ctx, secret)
			remember(c, u, t, err)
			c.Next()
			return
		}
		if cookie, err := c.Cookie(SessionCookie); err == nil && cookie != "" {
			u, err := creds.SessionUser(ctx, cookie)
			remember(c, u, nil, err)
			if err == nil {
				c.Set(credentialKey, auth.SessionCredential(cookie))
			}
		}
		c.Next()
	}
}

func remember(c *gin.Context, u *app.User, t *app.Token, err error) {
	if err != nil {
		c.Set(authErrKey, err)
		return
	}
	c.Set(userKey, u)
	if t != nil {
		c.Set(tokenKey, t)
		c.Set(credentialKey, t.ID)
	}
}

// CredentialFrom names what authenticated the request: the token's id, or
// the session's auth.SessionCredential; "" when anonymous. Connections that
// outlive the request keep it so they can be closed when it is revoked.
func CredentialFrom(c *gin.Context) string {
	id, _ := c.Value(credentialKey).(string)
	return id
}

// Bearer returns the token of an "Authorization: Bearer <token>" header.
func Bearer(h string) (string, bool) {
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	secret = strings.TrimSpace(secret)
	return secret, secret != ""
}

// UserFrom returns the caller set by Authenticate, nil when anonymous.
func UserFrom(c *gin.Context) *app.User {
	u, _ := c.Value(userKey).(*app.User)
	return u
}

// TokenFrom returns the API token of the caller, nil for cookie sessions and
// anonymous requests.
func TokenFrom(c *gin.Context) *app.Token {
	t, _ := c.Value(tokenKey).(*app.Token)
	return t
}

// RequireUser rejects anonymous requests with 401 (AUTH_INVALID_TOKEN when a
// bad token was presented) and, when the caller used a token, requires its
// scope to be one of scopes — an admin token always passes — or answers 403.
// Session users pass every scope check.
func RequireUser(scopes ...app.Scope) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err, ok := c.Value(authErrKey).(error); ok {
			WriteError(c, err)
			return
		}
		if UserFrom(c) == nil {
			WriteError(c, app.Errorf(app.EUNAUTHENTICATED, "Authentication required: log in or send an API token."))
			return
		}
		if t := TokenFrom(c); t != nil && t.Scope != app.ScopeAdmin && !slices.Contains(scopes, t.Scope) {
			WriteError(c, app.Errorf(app.EFORBIDDEN, "A %s token may not do this.", t.Scope))
			return
		}
		c.Next()
	}
}

// RequireAdmin lets only administrators through; it follows RequireUser.
func RequireAdmin(c *gin.Context) {
	if u := UserFrom(c); u == nil || !u.IsAdmin {
		WriteError(c, app.Errorf(app.EFORBIDDEN, "Only administrators may do this."))
		return
	}
	c.Next()
}
