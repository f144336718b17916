package ui

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// accountPage is the content of the account page and of the answer to a
// password change.
type accountPage struct {
	User *app.User
}

// handleAccountPage is the signed-in user's own account: who they are and
// the form that changes their password.
func (u *UI) handleAccountPage(c *gin.Context) {
	u.page(c, http.StatusOK, "account", "Account", accountPage{User: user(c)})
}

// handleChangePassword changes the caller's own password: the current one,
// the new one twice. Their other browser sessions end; this one stays
// signed in. The answer goes into the form's result area and, out of band,
// empties the banner that asked for a new password.
func (u *UI) handleChangePassword(c *gin.Context) {
	f, err := form(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	next := f.Get("password")
	if next != f.Get("confirm") {
		u.failInline(c, app.Errorf(app.EINVALID, "The new password and its repetition differ."))
		return
	}
	cookie, _ := c.Cookie(web.SessionCookie)
	if err := u.d.Auth.ChangePassword(c.Request.Context(), c.ClientIP(), user(c), f.Get("current"), next, cookie); err != nil {
		web.SetRetryAfter(c, err)
		u.failInline(c, err)
		return
	}
	u.partial(c, http.StatusOK, "account", "password_changed", nil)
}
