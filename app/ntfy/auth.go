package ntfy

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
	"github.com/gin-gonic/gin"
)

// Credentials checks what ntfy clients present (auth.Service): a token, or
// a username and password, checked by the login's own entry point (so its
// limits apply) and its session ended at once.
type Credentials interface {
	TokenUser(ctx context.Context, secret string) (*app.User, *app.Token, error)
	Login(ctx context.Context, client, username, password string) (cookie string, u *app.User, err error)
	Logout(ctx context.Context, cookie string) error
}

// authHint is the end of every 401: what Belfry takes.
const authHint = "Belfry needs a %s token: send Authorization: Bearer <token>, Basic auth with an empty username and the token as password, or a username and password"

// publisher returns who publishes the request, authenticated the ways
// ntfy clients do it: "Authorization: Bearer <token>"; Basic with
// username:password, or with an empty username and the token as password;
// or the same Authorization value base64url-encoded in ?auth= (which wins
// over the header, as in ntfy). A token must have publish (or admin)
// scope.
func publisher(c *gin.Context, creds Credentials) (*app.User, error) {
	u, _, err := caller(c, creds, "publish", app.ScopePublish)
	return u, err
}

// caller authenticates the request the ways ntfy clients do (see
// publisher); a token must have scope (or admin scope), action naming
// what it is refused for. The token is nil for a username and password.
func caller(c *gin.Context, creds Credentials, action string, scope app.Scope) (*app.User, *app.Token, error) {
	header, err := authorization(c)
	if err != nil {
		return nil, nil, err
	}
	if header == "" {
		return nil, nil, errUnauthorized.wrap(authHint, scope)
	}
	ctx := c.Request.Context()
	scheme, rest, _ := strings.Cut(header, " ")
	switch strings.ToLower(scheme) {
	case "bearer":
		return tokenCaller(ctx, creds, strings.TrimSpace(rest), action, scope)
	case "basic":
		r := http.Request{Header: http.Header{"Authorization": {header}}}
		username, password, ok := r.BasicAuth()
		if !ok {
			return nil, nil, errUnauthorized.wrap("the Basic credentials are not base64 of username:password")
		}
		if username == "" {
			return tokenCaller(ctx, creds, password, action, scope)
		}
		u, err := passwordPublisher(ctx, creds, c.ClientIP(), username, password)
		return u, nil, err
	}
	return nil, nil, errUnauthorized.wrap("Authorization %q is not Bearer or Basic; "+authHint, scheme, scope)
}

// authorization returns the Authorization value: ?auth= (or
// ?authorization=) decoded, else the header.
func authorization(c *gin.Context) (string, error) {
	q := c.Query("auth")
	if q == "" {
		q = c.Query("authorization")
	}
	if q == "" {
		return strings.TrimSpace(c.GetHeader("Authorization")), nil
	}
	q = strings.TrimRight(strings.TrimSpace(q), "=")
	b, err := base64.RawURLEncoding.DecodeString(q)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(q); err != nil {
			return "", errUnauthorized.wrap("the auth query parameter must be an Authorization header in base64url, such as base64url(\"Bearer <token>\")")
		}
	}
	return strings.TrimSpace(string(b)), nil
}

func tokenCaller(ctx context.Context, creds Credentials, secret, action string, scope app.Scope) (*app.User, *app.Token, error) {
	u, t, err := creds.TokenUser(ctx, secret)
	if err != nil {
		return nil, nil, err
	}
	if t.Scope != scope && t.Scope != app.ScopeAdmin {
		return nil, nil, errForbidden.wrap("a %s token may not %s; use a %s token", t.Scope, action, scope)
	}
	return u, t, nil
}

// passwordPublisher checks a username and password as the login does, with
// its limits per client address and username.
func passwordPublisher(ctx context.Context, creds Credentials, client, username, password string) (*app.User, error) {
	cookie, u, err := creds.Login(ctx, client, username, password)
	if err != nil {
		if app.ErrorKind(err) == app.EUNAUTHENTICATED && strings.HasPrefix(password, auth.TokenPrefix) {
			return nil, errUnauthorized.wrap("wrong username or password; to send a token as the password, leave the username empty")
		}
		return nil, err
	}
	if err := creds.Logout(ctx, cookie); err != nil {
		return nil, err
	}
	return u, nil
}
