package channels

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// handleJoin is POST /api/channels/:id/join.
func (a *API) handleJoin(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	m, err := a.s.Join(c.Request.Context(), web.UserFrom(c), id)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewMember(m))
}

// handleLeave is POST /api/channels/:id/leave.
func (a *API) handleLeave(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	reply(c, http.StatusOK, web.OK, a.s.Leave(c.Request.Context(), web.UserFrom(c), id))
}

// handleListMembers is GET /api/channels/:id/members.
func (a *API) handleListMembers(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	ms, err := a.s.Members(c.Request.Context(), id)
	if err != nil {
		web.WriteError(c, err)
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
func (a *API) handleSetRole(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	userID, ok := web.PathID(c, "user_id")
	if !ok {
		return
	}
	var req roleRequest
	if !decode(c, &req, false) {
		return
	}
	m, err := a.s.SetRole(c.Request.Context(), web.UserFrom(c), id, userID, app.Role(req.Role))
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewMember(m))
}

type targetRequest struct {
	UserID string  `json:"user_id"`
	Motive *string `json:"motive"`
}

// handleKick is POST /api/channels/:id/kick {user_id}.
func (a *API) handleKick(c *gin.Context) {
	id, ok := web.PathID(c, "id")
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
		err = a.s.Kick(c.Request.Context(), web.UserFrom(c), id, userID)
	}
	reply(c, http.StatusOK, web.OK, err)
}

// handleBan is POST /api/channels/:id/bans {user_id, motive}.
func (a *API) handleBan(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	var req targetRequest
	if !decode(c, &req, false) {
		return
	}
	userID, err := bodyID("user_id", req.UserID)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	if req.Motive == nil {
		web.WriteError(c, app.Errorf(app.EINVALID, "Field motive is required: say why the user is banned."))
		return
	}
	b, err := a.s.Ban(c.Request.Context(), web.UserFrom(c), id, userID, *req.Motive)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewBan(b))
}

// handleUnban is DELETE /api/channels/:id/bans/:user_id with an optional
// body {motive}.
func (a *API) handleUnban(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	userID, ok := web.PathID(c, "user_id")
	if !ok {
		return
	}
	var req struct {
		Motive string `json:"motive"`
	}
	if !decode(c, &req, true) {
		return
	}
	reply(c, http.StatusOK, web.OK, a.s.Unban(c.Request.Context(), web.UserFrom(c), id, userID, req.Motive))
}
