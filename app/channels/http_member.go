package channels

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
	"github.com/gin-gonic/gin"
)

// handleJoin is POST /api/channels/:id/join.
func (s *Service) handleJoin(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	m, err := s.Join(c.Request.Context(), api.UserFrom(c), id)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewMember(m))
}

// handleLeave is POST /api/channels/:id/leave.
func (s *Service) handleLeave(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	reply(c, http.StatusOK, okBody, s.Leave(c.Request.Context(), api.UserFrom(c), id))
}

// handleListMembers is GET /api/channels/:id/members.
func (s *Service) handleListMembers(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	ms, err := s.Members(c.Request.Context(), id)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	views := make([]memberView, len(ms))
	for i, m := range ms {
		views[i] = viewMember(m)
	}
	c.JSON(http.StatusOK, gin.H{"members": views})
}

type roleRequest struct {
	Role string `json:"role"`
}

// handleSetRole is PUT /api/channels/:id/members/:user_id/role {role}.
func (s *Service) handleSetRole(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	userID, ok := pathID(c, "user_id")
	if !ok {
		return
	}
	var req roleRequest
	if !decode(c, &req, false) {
		return
	}
	m, err := s.SetRole(c.Request.Context(), api.UserFrom(c), id, userID, app.Role(req.Role))
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewMember(m))
}

type targetRequest struct {
	UserID string  `json:"user_id"`
	Motive *string `json:"motive"`
}

// handleKick is POST /api/channels/:id/kick {user_id}.
func (s *Service) handleKick(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req struct {
		UserID string `json:"user_id"`
	}
	if !decode(c, &req, false) {
		return
	}
	userID, err := bodyID("user_id", req.UserID)
	if err == nil {
		err = s.Kick(c.Request.Context(), api.UserFrom(c), id, userID)
	}
	reply(c, http.StatusOK, okBody, err)
}

// handleBan is POST /api/channels/:id/bans {user_id, motive}.
func (s *Service) handleBan(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req targetRequest
	if !decode(c, &req, false) {
		return
	}
	userID, err := bodyID("user_id", req.UserID)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if req.Motive == nil {
		api.WriteError(c, app.Errorf(app.EINVALID, "Field motive is required: say why the user is banned."))
		return
	}
	b, err := s.Ban(c.Request.Context(), api.UserFrom(c), id, userID, *req.Motive)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewBan(b))
}

// handleUnban is DELETE /api/channels/:id/bans/:user_id with an optional
// body {motive}.
func (s *Service) handleUnban(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	userID, ok := pathID(c, "user_id")
	if !ok {
		return
	}
	var req struct {
		Motive string `json:"motive"`
	}
	if !decode(c, &req, true) {
		return
	}
	reply(c, http.StatusOK, okBody, s.Unban(c.Request.Context(), api.UserFrom(c), id, userID, req.Motive))
}
