package api

import (
	"net/http"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// userView is a user as the API shows it: never the password hash.
type userView struct {
	ID        string `json:"id"`
	Username  string `json:"username"`
	IsAdmin   bool   `json:"is_admin"`
	Email     string `json:"email"`
	CreatedAt string `json:"created_at"`
}

func viewUser(u *app.User) userView {
	return userView{ID: u.ID, Username: u.Username, IsAdmin: u.IsAdmin, Email: u.Email, CreatedAt: u.CreatedAt.UTC().Format(time.RFC3339)}
}

// handleMe is GET /api/v1/me: who the caller is.
func (s *Server) handleMe(c *gin.Context) {
	u := web.UserFrom(c)
	c.JSON(http.StatusOK, gin.H{"id": u.ID, "username": u.Username, "is_admin": u.IsAdmin, "temporary_password": u.TemporaryPassword})
}

// changePasswordRequest is the body of PUT /api/v1/me/password.
type changePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	Password        string `json:"password"`
}

// handleChangeOwnPassword is PUT /api/v1/me/password: the caller (a
// session or an admin token) changes their own password. Their other
// browser sessions end; the session that asked stays signed in.
func (s *Server) handleChangeOwnPassword(c *gin.Context) {
	var req changePasswordRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		web.WriteError(c, err)
		return
	}
	keep := ""
	if web.TokenFrom(c) == nil {
		keep, _ = c.Cookie(web.SessionCookie)
	}
	if err := s.d.Auth.ChangePassword(c.Request.Context(), c.ClientIP(), web.UserFrom(c), req.CurrentPassword, req.Password, keep); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, web.OK)
}

// handleListUsers is GET /api/users (administrators only).
func (s *Server) handleListUsers(c *gin.Context) {
	us, err := s.d.Users.ListUsers(c.Request.Context())
	if err != nil {
		web.WriteError(c, err)
		return
	}
	views := make([]userView, 0, len(us))
	for _, u := range us {
		views = append(views, viewUser(u))
	}
	c.JSON(http.StatusOK, gin.H{"users": views})
}

// createUserRequest is the body of POST /api/users.
type createUserRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	IsAdmin  bool   `json:"is_admin"`
}

// handleCreateUser is POST /api/users (administrators only).
func (s *Server) handleCreateUser(c *gin.Context) {
	var req createUserRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		web.WriteError(c, err)
		return
	}
	u, err := s.d.Auth.CreateUser(c.Request.Context(), req.Username, req.Password, req.IsAdmin)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewUser(u))
}

// passwordRequest is the body of PUT /api/users/:id/password.
type passwordRequest struct {
	Password string `json:"password"`
}

// handleSetUserPassword is PUT /api/users/:id/password (administrators
// only).
func (s *Server) handleSetUserPassword(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	var req passwordRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		web.WriteError(c, err)
		return
	}
	ctx := c.Request.Context()
	u, err := s.d.Users.FindUserByID(ctx, id)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	// A password set for someone else is temporary: they are asked to
	// choose their own.
	if err := s.d.Auth.SetPassword(ctx, u.Username, req.Password, u.ID != web.UserFrom(c).ID); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, web.OK)
}

// handleDeleteUser is DELETE /api/users/:id (administrators only). Nobody
// deletes their own account, so at least one administrator always remains.
func (s *Server) handleDeleteUser(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	if id == web.UserFrom(c).ID {
		web.WriteError(c, app.Errorf(app.ECONFLICT, "You cannot delete your own account."))
		return
	}
	if err := s.d.Auth.DeleteUser(c.Request.Context(), id); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, web.OK)
}
