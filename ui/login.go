package ui

import (
	"net/http"

	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// loginPage is the content of the login page. The form posts to /login,
// which the JSON API's login handler answers.
type loginPage struct {
	Failed bool
	Next   string
	Hint   string
}

// handleLoginPage shows the login form, or sends a signed-in user on.
func (u *UI) handleLoginPage(c *gin.Context) {
	next := safeNext(c.Query("next"))
	if web.UserFrom(c) != nil && web.TokenFrom(c) == nil {
		if next == "" {
			next = "/notifications"
		}
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	u.page(c, http.StatusOK, "login", "Sign in", loginPage{Failed: c.Query("error") != "", Next: next, Hint: u.d.FirstRunHint})
}
