package ui

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// loginPage is the content of the login page. The form posts to /login,
// which the JSON API's login handler answers.
type loginPage struct {
	Failed  bool
	Refused string // why the last attempt was refused unchecked (429, 503)
	Next    string
	Hint    string
	// Username is the name typed before a wrong password, kept in the form.
	Username string
	// Expired says the page was reached because the session had ended.
	Expired bool
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
	username := c.Query("username")
	if len(username) > 256 {
		username = ""
	}
	u.page(c, http.StatusOK, "login", "Sign in", loginPage{Failed: c.Query("error") != "", Next: next, Hint: u.d.FirstRunHint,
		Username: username, Expired: c.Query("expired") != ""})
}

// LoginRefused answers a form login that was refused before its password
// was checked — too many attempts (429), too many being checked (503) —
// with the login page, err's message and status, and its Retry-After. The
// JSON API's login handler calls it for browsers.
func (u *UI) LoginRefused(c *gin.Context, err error, next string) {
	setSecurityHeaders(c)
	web.SetRetryAfter(c, err)
	u.page(c, web.StatusOf(err), "login", "Sign in",
		loginPage{Refused: app.ErrorMessage(err), Next: safeNext(next), Hint: u.d.FirstRunHint})
}
