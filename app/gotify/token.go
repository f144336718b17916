package gotify

import (
	"context"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// applicationToken returns the token a Gotify client sent, looked for
// where Gotify looks, in its order: the token query parameter, the
// X-Gotify-Key header, "Authorization: Bearer". Proxmox VE sends the last
// two with the same token.
func applicationToken(c *gin.Context) string {
	if t := c.Query("token"); t != "" {
		return t
	}
	if t := c.GetHeader("X-Gotify-Key"); t != "" {
		return t
	}
	if t, ok := web.Bearer(c.GetHeader("Authorization")); ok {
		return t
	}
	return ""
}

// authenticate resolves the application token to its owner. Errors:
// EUNAUTHENTICATED for a missing or unknown token, EFORBIDDEN for a client
// token (publish and admin tokens publish, as on POST /api/v1/events).
func (g *Gotify) authenticate(ctx context.Context, secret string) (*app.User, *app.Token, error) {
	if secret == "" {
		return nil, nil, app.Errorf(app.EUNAUTHENTICATED,
			"Send a Belfry publish token as the application token: in X-Gotify-Key, ?token= or Authorization: Bearer.")
	}
	u, t, err := g.d.Tokens.TokenUser(ctx, secret)
	if err != nil {
		return nil, nil, err
	}
	if t.Scope != app.ScopePublish && t.Scope != app.ScopeAdmin {
		return nil, nil, app.Errorf(app.EFORBIDDEN, "A %s token may not publish; use a publish token as the application token.", t.Scope)
	}
	return u, t, nil
}
