package api

import (
	"net/http"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// tokenRequest is the body of POST /api/tokens.
type tokenRequest struct {
	Name  string    `json:"name"`
	Scope app.Scope `json:"scope"`
}

// tokenView is a token as listed: never its secret or hash.
type tokenView struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Scope      app.Scope `json:"scope"`
	CreatedAt  string    `json:"created_at"`
	LastUsedAt *string   `json:"last_used_at"`
}

// createdTokenView adds the secret, shown in this one answer only.
type createdTokenView struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Scope     app.Scope `json:"scope"`
	CreatedAt string    `json:"created_at"`
	Token     string    `json:"token"`
}

func viewToken(t *app.Token) tokenView {
	v := tokenView{ID: t.ID, Name: t.Name, Scope: t.Scope, CreatedAt: t.CreatedAt.UTC().Format(time.RFC3339)}
	if t.LastUsedAt != nil {
		s := t.LastUsedAt.UTC().Format(time.RFC3339)
		v.LastUsedAt = &s
	}
	return v
}

// handleCreateToken is POST /api/tokens: a new token of the caller, its
// secret in the answer and nowhere else.
func (s *Server) handleCreateToken(c *gin.Context) {
	var req tokenRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		web.WriteError(c, err)
		return
	}
	secret, t, err := s.d.Auth.CreateToken(c.Request.Context(), web.UserFrom(c).ID, req.Name, req.Scope)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, createdTokenView{
		ID: t.ID, Name: t.Name, Scope: t.Scope, CreatedAt: t.CreatedAt.UTC().Format(time.RFC3339), Token: secret,
	})
}

// handleListTokens is GET /api/tokens: the caller's own tokens.
func (s *Server) handleListTokens(c *gin.Context) {
	ts, err := s.d.Auth.ListTokens(c.Request.Context(), web.UserFrom(c).ID)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	views := make([]tokenView, 0, len(ts))
	for _, t := range ts {
		views = append(views, viewToken(t))
	}
	c.JSON(http.StatusOK, gin.H{"tokens": views})
}

// handleRevokeToken is DELETE /api/tokens/:id: only the caller's own.
func (s *Server) handleRevokeToken(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	if err := s.d.Auth.RevokeToken(c.Request.Context(), web.UserFrom(c).ID, id); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, web.OK)
}
