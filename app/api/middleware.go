package api

import (
	"net/http"
	"net/url"
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

// Authenticate resolves the caller from an "Authorization: Bearer" token or,
// without one, from the session cookie, and stores the user (and token) for
// UserFrom and TokenFrom. It never rejects a request: a failed credential is
// remembered and reported by RequireUser. Running it twice is harmless.
func (s *Server) Authenticate() gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, done := c.Get(authDoneKey); done {
			c.Next()
			return
		}
		c.Set(authDoneKey, true)
		c.Set(loggerKey, s.log)
		ctx := c.Request.Context()
		if h := c.GetHeader("Authorization"); h != "" {
			secret, ok := bearer(h)
			if !ok {
				c.Set(authErrKey, app.CodedErrorf(app.EUNAUTHENTICATED, app.CodeInvalidToken, "The Authorization header must be \"Bearer <token>\"."))
				c.Next()
				return
			}
			u, t, err := s.d.Auth.TokenUser(ctx, secret)
			s.remember(c, u, t, err)
			c.Next()
			return
		}
		if cookie, err := c.Cookie(SessionCookie); err == nil && cookie != "" {
			u, err := s.d.Auth.SessionUser(ctx, cookie)
			s.remember(c, u, nil, err)
			if err == nil {
				c.Set(credentialKey, auth.SessionCredential(cookie))
			}
		}
		c.Next()
	}
}

func (s *Server) remember(c *gin.Context, u *app.User, t *app.Token, err error) {
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

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(h string) (string, bool) {
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

// requireAdmin lets only administrators through; it follows RequireUser.
func requireAdmin(c *gin.Context) {
	if u := UserFrom(c); u == nil || !u.IsAdmin {
		WriteError(c, app.Errorf(app.EFORBIDDEN, "Only administrators may do this."))
		return
	}
	c.Next()
}

// CrossOriginGuard refuses unsafe (non GET/HEAD/OPTIONS) cross-origin
// requests from browsers with 403 FORBIDDEN, using Go's
// http.CrossOriginProtection with baseURL's origin trusted. Requests with an
// "Authorization: Bearer" header are exempt: browsers never attach one to a
// cross-site request on their own, so they carry no ambient credentials.
func CrossOriginGuard(baseURL string) gin.HandlerFunc {
	p := http.NewCrossOriginProtection()
	if u, err := url.Parse(baseURL); err == nil && u.Scheme != "" && u.Host != "" {
		// A malformed base URL only loses the extra trusted origin;
		// same-origin requests still pass.
		_ = p.AddTrustedOrigin(u.Scheme + "://" + u.Host)
	}
	return func(c *gin.Context) {
		if _, ok := bearer(c.GetHeader("Authorization")); ok {
			c.Next()
			return
		}
		if err := p.Check(c.Request); err != nil {
			WriteError(c, app.Errorf(app.EFORBIDDEN, "Cross-origin request refused."))
			return
		}
		c.Next()
	}
}
