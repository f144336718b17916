package hooks

import (
	"encoding/base64"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// Context keys set by requireToken.
const (
	userKey  = "hooks.user"
	tokenKey = "hooks.token"
)

// requireToken authenticates a hook request by the publish (or admin)
// token it carries: "Authorization: Bearer <token>", Basic with the token
// as password (Alertmanager's basic_auth, Grafana's username and password
// fields; the username is ignored), or ?token=<token> for senders that
// cannot set headers (GitHub). Browser sessions do not publish through
// hooks. Errors: 401 for a missing or bad token, 403 for a client token.
func (s *Service) requireToken(c *gin.Context) {
	secret, err := credential(c)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	u, t, err := s.d.Tokens.TokenUser(c.Request.Context(), secret)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	if t.Scope != app.ScopePublish && t.Scope != app.ScopeAdmin {
		web.WriteError(c, app.Errorf(app.EFORBIDDEN, "A %s token may not publish; use a publish token.", t.Scope))
		return
	}
	c.Set(userKey, u)
	c.Set(tokenKey, t)
	c.Next()
}

// credential returns the token secret of a hook request; the header wins
// over the query.
func credential(c *gin.Context) (string, error) {
	h := c.GetHeader("Authorization")
	if h == "" {
		if secret := strings.TrimSpace(c.Query("token")); secret != "" {
			return secret, nil
		}
		return "", app.Errorf(app.EUNAUTHENTICATED,
			"A hook needs a publish token: send \"Authorization: Bearer <token>\", or add ?token=<token> to the URL.")
	}
	if secret, ok := web.Bearer(h); ok {
		return secret, nil
	}
	scheme, rest, _ := strings.Cut(h, " ")
	if strings.EqualFold(scheme, "Basic") {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
		if user, password, ok := strings.Cut(string(raw), ":"); err == nil && ok {
			if password = strings.TrimSpace(password); password == "" {
				password = strings.TrimSpace(user) // the token as the username
			}
			if password != "" {
				return password, nil
			}
		}
	}
	return "", app.CodedErrorf(app.EUNAUTHENTICATED, app.CodeInvalidToken,
		"The Authorization header must be \"Bearer <token>\" or Basic with the token as the password.")
}

// caller returns the token owner and token requireToken set.
func caller(c *gin.Context) (*app.User, *app.Token) {
	u, _ := c.Value(userKey).(*app.User)
	t, _ := c.Value(tokenKey).(*app.Token)
	return u, t
}
