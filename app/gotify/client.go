package gotify

import (
	"context"
	"net/http"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/auth"
	"github.com/gin-gonic/gin"
)

// Credentials check what Gotify clients present and manage their client
// tokens (auth.Service). A username and password go through the login's
// own entry point, so its limits per client address and username apply,
// and the session it starts is ended at once.
type Credentials interface {
	Tokens
	Login(ctx context.Context, client, username, password string) (cookie string, u *app.User, err error)
	Logout(ctx context.Context, cookie string) error
	CreateToken(ctx context.Context, userID, name string, scope app.Scope) (secret string, t *app.Token, err error)
	ListTokens(ctx context.Context, userID string) ([]*app.Token, error)
	RevokeToken(ctx context.Context, userID, id string) error
}

// Deleter deletes notifications through the inbox (notify.Inbox), which
// announces each deletion to the web inbox and every open tab.
type Deleter interface {
	Delete(ctx context.Context, userID, id string) error
	DeleteAll(ctx context.Context, userID string, topic *string) (int, error)
}

// caller is who sent a client API request.
type caller struct {
	user *app.User
	// token is the client token the request came with, nil for a
	// username and password; secret is that token's secret.
	token  *app.Token
	secret string
}

// callerKey is where requireClient leaves the caller in the gin context.
const callerKey = "gotify.caller"

// registerClientAPI adds the routes of Gotify's client API that its
// Android app calls.
func (g *Gotify) registerClientAPI(r gin.IRouter) {
	r.GET("/version", g.handleVersion)
	r.GET("/health", g.handleHealth)
	r.GET("/application/:id/image", g.handleImage)
	r.GET("/current/user", g.requireClient, g.handleCurrentUser)
	r.POST("/client", g.requireClient, g.handleCreateClient)
	r.GET("/client", g.requireClient, g.handleListClients)
	r.DELETE("/client/:id", g.requireClient, g.handleDeleteClient)
	r.GET("/application", g.requireClient, g.handleListApplications)
	r.GET("/message", g.requireClient, g.handleListMessages)
	r.GET("/application/:id/message", g.requireClient, g.handleListApplicationMessages)
	r.DELETE("/message", g.requireClient, g.handleDeleteMessages)
	r.DELETE("/message/:id", g.requireClient, g.handleDeleteMessage)
	r.DELETE("/application/:id/message", g.requireClient, g.handleDeleteApplicationMessages)
	r.GET("/stream", g.requireClient, g.handleStream)
}

// requireClient authenticates a client API request the ways Gotify's
// clients send credentials: a client token in ?token=, X-Gotify-Key or
// "Authorization: Bearer" (as for publishing), or Basic auth with a
// username and password (the app's login). A client or admin token
// passes; a publish token is an application token in Gotify's terms and
// gets 403. Refusals are in Gotify's error shape.
func (g *Gotify) requireClient(c *gin.Context) {
	who, err := g.clientCaller(c)
	if err != nil {
		writeError(c, err)
		return
	}
	c.Set(callerKey, who)
}

func (g *Gotify) clientCaller(c *gin.Context) (*caller, error) {
	ctx := c.Request.Context()
	if secret := applicationToken(c); secret != "" {
		u, t, err := g.d.Credentials.TokenUser(ctx, secret)
		if err != nil {
			return nil, err
		}
		if t.Scope != app.ScopeClient && t.Scope != app.ScopeAdmin {
			return nil, app.Errorf(app.EFORBIDDEN, "A %s token is an application token here: it may only publish. Use a client token.", t.Scope)
		}
		return &caller{user: u, token: t, secret: secret}, nil
	}
	username, password, ok := c.Request.BasicAuth()
	if !ok {
		return nil, app.Errorf(app.EUNAUTHENTICATED,
			"Send a Belfry client token (X-Gotify-Key, ?token= or Authorization: Bearer) or Basic auth with your username and password.")
	}
	cookie, u, err := g.d.Credentials.Login(ctx, c.ClientIP(), username, password)
	if err != nil {
		if app.ErrorKind(err) == app.EUNAUTHENTICATED && strings.HasPrefix(password, auth.TokenPrefix) {
			return nil, app.Errorf(app.EUNAUTHENTICATED, "Wrong username or password. Send a token in X-Gotify-Key, not as a password.")
		}
		return nil, err
	}
	if err := g.d.Credentials.Logout(ctx, cookie); err != nil {
		return nil, err
	}
	return &caller{user: u}, nil
}

// callerOf returns the caller requireClient authenticated.
func callerOf(c *gin.Context) *caller { return c.MustGet(callerKey).(*caller) }

// answerDeleted answers a delete with an empty 200, as Gotify does.
func answerDeleted(c *gin.Context) { c.Status(http.StatusOK) }
