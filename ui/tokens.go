package ui

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// tokensPage is the content of the tokens page and of its partials.
type tokensPage struct {
	Tokens  []*app.Token
	IsAdmin bool
	// Secret and Created are set once, right after creation.
	Secret  string
	Created *app.Token
}

func (u *UI) loadTokens(c *gin.Context) (tokensPage, error) {
	usr := user(c)
	ts, err := u.d.Tokens.ListTokens(c.Request.Context(), usr.ID)
	if err != nil {
		return tokensPage{}, err
	}
	return tokensPage{Tokens: ts, IsAdmin: usr.IsAdmin}, nil
}

func (u *UI) handleTokensPage(c *gin.Context) {
	v, err := u.loadTokens(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.page(c, http.StatusOK, "tokens", "API tokens", v)
}

// handleCreateToken issues a token and shows its secret this once, with the
// refreshed list swapped in out of band.
func (u *UI) handleCreateToken(c *gin.Context) {
	f, err := form(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	secret, t, err := u.d.Auth.CreateToken(c.Request.Context(), user(c).ID, f.Get("name"), app.Scope(f.Get("scope")))
	if err != nil {
		u.failInline(c, err)
		return
	}
	v, err := u.loadTokens(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	v.Secret, v.Created = secret, t
	u.partial(c, http.StatusOK, "tokens", "token_created", v)
}

// handleRevokeToken revokes one of the user's tokens and answers with the
// list.
func (u *UI) handleRevokeToken(c *gin.Context) {
	if err := u.d.Auth.RevokeToken(c.Request.Context(), user(c).ID, c.Param("id")); err != nil {
		u.fail(c, err)
		return
	}
	v, err := u.loadTokens(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "tokens", "token_list", v)
}
