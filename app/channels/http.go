package channels

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
	"github.com/gin-gonic/gin"
)

// okBody is the answer of actions that return nothing else.
var okBody = gin.H{"ok": true}

// Register adds the REST API under /api/channels and GET /ws/channels/ to
// r. authenticate resolves the caller (api.Server.Authenticate). Both take
// a browser session or a client (or admin) token; unsafe cross-origin
// browser requests are refused, and the socket handshake checks Origin.
func (s *Service) Register(r *gin.Engine, authenticate gin.HandlerFunc) {
	g := r.Group("/api/channels", api.CrossOriginGuard(s.d.Config.Server.BaseURL), authenticate, api.RequireUser(app.ScopeClient))
	g.POST("", s.handleCreateChannel)
	g.GET("", s.handleListChannels)
	g.GET("/:id", s.handleGetChannel)
	g.PATCH("/:id", s.handleUpdateChannel)
	g.DELETE("/:id", s.handleDeleteChannel)
	g.POST("/:id/join", s.handleJoin)
	g.POST("/:id/leave", s.handleLeave)
	g.GET("/:id/members", s.handleListMembers)
	g.PUT("/:id/members/:user_id/role", s.handleSetRole)
	g.POST("/:id/kick", s.handleKick)
	g.POST("/:id/bans", s.handleBan)
	g.DELETE("/:id/bans/:user_id", s.handleUnban)
	g.GET("/:id/messages", s.handleListMessages)
	g.POST("/:id/messages", s.handlePostMessage)
	g.PATCH("/:id/messages/:message_id", s.handleEditMessage)
	g.DELETE("/:id/messages/:message_id", s.handleDeleteMessage)

	r.GET(Path, authenticate, api.RequireUser(app.ScopeClient), s.handleSocket)
}

// reply answers v with status, or err in the error envelope.
func reply(c *gin.Context, status int, v any, err error) {
	if err != nil {
		api.WriteError(c, err)
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
func (s *Service) handleCreateChannel(c *gin.Context) {
	var req channelRequest
	if !decode(c, &req, false) {
		return
	}
	if req.Name == nil {
		api.WriteError(c, app.Errorf(app.EINVALID, "Field name is required."))
		return
	}
	var desc string
	if req.Description != nil {
		desc = *req.Description
	}
	ch, err := s.CreateChannel(c.Request.Context(), api.UserFrom(c), *req.Name, desc)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewChannel(ch, app.RoleOwner))
}

// handleListChannels is GET /api/channels: every channel, with member
// counts and the caller's role.
func (s *Service) handleListChannels(c *gin.Context) {
	chs, roles, err := s.ListChannels(c.Request.Context(), api.UserFrom(c))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	views := make([]channelView, len(chs))
	for i, ch := range chs {
		views[i] = viewChannel(ch, roles[ch.ID])
	}
	c.JSON(http.StatusOK, gin.H{"channels": views})
}

// handleGetChannel is GET /api/channels/:id.
func (s *Service) handleGetChannel(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ch, role, err := s.Channel(c.Request.Context(), api.UserFrom(c), id)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewChannel(ch, role))
}

// handleUpdateChannel is PATCH /api/channels/:id {name?, description?}
// (owners and admins).
func (s *Service) handleUpdateChannel(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req channelRequest
	if !decode(c, &req, false) {
		return
	}
	if req.Name == nil && req.Description == nil {
		api.WriteError(c, app.Errorf(app.EINVALID, "Nothing to change: send name or description."))
		return
	}
	ctx, u := c.Request.Context(), api.UserFrom(c)
	ch, err := s.UpdateChannel(ctx, u, id, app.ChannelUpdate{Name: req.Name, Description: req.Description})
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewChannel(ch, s.roleIn(ctx, id, u.ID)))
}

// handleDeleteChannel is DELETE /api/channels/:id (owners).
func (s *Service) handleDeleteChannel(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	reply(c, http.StatusOK, okBody, s.DeleteChannel(c.Request.Context(), api.UserFrom(c), id))
}
