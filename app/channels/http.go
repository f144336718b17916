package channels

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// API serves the REST routes under /api/channels: each handler translates
// its request into one action of the Service.
type API struct{ s *Service }

// Register adds the REST API under /api/channels and GET /ws/channels/ to
// r. authenticate resolves the caller (web.Authenticate). Both take a
// browser session or a client (or admin) token; the socket handshake checks
// Origin.
func (s *Service) Register(r gin.IRouter, authenticate gin.HandlerFunc) {
	a := &API{s: s}
	g := r.Group("/api/channels", authenticate, web.RequireUser(app.ScopeClient))
	g.POST("", a.handleCreateChannel)
	g.GET("", a.handleListChannels)
	g.GET("/:id", a.handleGetChannel)
	g.PATCH("/:id", a.handleUpdateChannel)
	g.DELETE("/:id", a.handleDeleteChannel)
	g.POST("/:id/join", a.handleJoin)
	g.POST("/:id/leave", a.handleLeave)
	g.GET("/:id/members", a.handleListMembers)
	g.PUT("/:id/members/:user_id/role", a.handleSetRole)
	g.POST("/:id/kick", a.handleKick)
	g.POST("/:id/bans", a.handleBan)
	g.DELETE("/:id/bans/:user_id", a.handleUnban)
	g.GET("/:id/messages", a.handleListMessages)
	g.POST("/:id/messages", a.handlePostMessage)
	g.PATCH("/:id/messages/:message_id", a.handleEditMessage)
	g.DELETE("/:id/messages/:message_id", a.handleDeleteMessage)

	r.GET(Path, authenticate, web.RequireUser(app.ScopeClient), s.handleSocket)
}

// reply answers v with status, or err in the error envelope.
func reply(c *gin.Context, status int, v any, err error) {
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(status, v)
}

type channelRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

// handleCreateChannel is POST /api/channels {name, description?}: the
// caller becomes the owner.
func (a *API) handleCreateChannel(c *gin.Context) {
	var req channelRequest
	if !decode(c, &req, false) {
		return
	}
	if req.Name == nil {
		web.WriteError(c, app.Errorf(app.EINVALID, "Field name is required."))
		return
	}
	var desc string
	if req.Description != nil {
		desc = *req.Description
	}
	ch, err := a.s.CreateChannel(c.Request.Context(), web.UserFrom(c), *req.Name, desc)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewChannel(ch, app.RoleOwner))
}

// handleListChannels is GET /api/channels: every channel, with member
// counts and the caller's role.
func (a *API) handleListChannels(c *gin.Context) {
	chs, roles, err := a.s.ListChannels(c.Request.Context(), web.UserFrom(c))
	if err != nil {
		web.WriteError(c, err)
		return
	}
	views := make([]channelView, len(chs))
	for i, ch := range chs {
		views[i] = viewChannel(ch, roles[ch.ID])
	}
	c.JSON(http.StatusOK, gin.H{"channels": views})
}

// handleGetChannel is GET /api/channels/:id.
func (a *API) handleGetChannel(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	ch, role, err := a.s.Channel(c.Request.Context(), web.UserFrom(c), id)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewChannel(ch, role))
}

// handleUpdateChannel is PATCH /api/channels/:id {name?, description?}
// (owners and admins).
func (a *API) handleUpdateChannel(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	var req channelRequest
	if !decode(c, &req, false) {
		return
	}
	if req.Name == nil && req.Description == nil {
		web.WriteError(c, app.Errorf(app.EINVALID, "Nothing to change: send name or description."))
		return
	}
	ctx, u := c.Request.Context(), web.UserFrom(c)
	ch, err := a.s.UpdateChannel(ctx, u, id, app.ChannelUpdate{Name: req.Name, Description: req.Description})
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewChannel(ch, a.s.roleIn(ctx, id, u.ID)))
}

// handleDeleteChannel is DELETE /api/channels/:id (owners).
func (a *API) handleDeleteChannel(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	reply(c, http.StatusOK, web.OK, a.s.DeleteChannel(c.Request.Context(), web.UserFrom(c), id))
}
