package ui

import (
	"net/http"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// adminOnly lets only administrators through.
func (u *UI) adminOnly() gin.HandlerFunc {
	return func(c *gin.Context) {
		if usr := user(c); usr == nil || !usr.IsAdmin {
			u.fail(c, app.Errorf(app.EFORBIDDEN, "Only administrators may do this."))
			return
		}
		c.Next()
	}
}

// usersPage is the content of the users page and of its partials.
type usersPage struct {
	Users   []*app.User
	Me      string // the signed-in administrator's id
	Created *app.User
}

func (u *UI) loadUsers(c *gin.Context) (usersPage, error) {
	us, err := u.d.Users.ListUsers(c.Request.Context())
	if err != nil {
		return usersPage{}, err
	}
	return usersPage{Users: us, Me: user(c).ID}, nil
}

func (u *UI) handleUsersPage(c *gin.Context) {
	v, err := u.loadUsers(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.page(c, http.StatusOK, "users", "Users", v)
}

// handleCreateUser adds a user and swaps in the refreshed list.
func (u *UI) handleCreateUser(c *gin.Context) {
	f, err := form(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	admin := f.Get("is_admin") != ""
	created, err := u.d.Auth.CreateUser(c.Request.Context(), strings.TrimSpace(f.Get("username")), f.Get("password"), admin)
	if err != nil {
		u.failInline(c, err)
		return
	}
	v, err := u.loadUsers(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	v.Created = created
	u.partial(c, http.StatusOK, "users", "user_created", v)
}

// handleSetPassword replaces a user's password; the answer goes into the
// row's reset form.
func (u *UI) handleSetPassword(c *gin.Context) {
	f, err := form(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	ctx := c.Request.Context()
	target, err := u.d.Users.FindUserByID(ctx, c.Param("id"))
	if err != nil {
		u.failInline(c, err)
		return
	}
	// A password set for someone else is temporary (see the account page).
	if err := u.d.Auth.SetPassword(ctx, target.Username, f.Get("password"), target.ID != user(c).ID); err != nil {
		u.failInline(c, err)
		return
	}
	u.partial(c, http.StatusOK, "", "alert", alertView{Kind: "success", Message: "Password of " + target.Username + " changed.", AutoHide: true})
}

// handleDeleteUser deletes a user with everything they own; nobody deletes
// their own account, so one administrator always remains.
func (u *UI) handleDeleteUser(c *gin.Context) {
	id := c.Param("id")
	if id == user(c).ID {
		u.fail(c, app.Errorf(app.ECONFLICT, "You cannot delete your own account."))
		return
	}
	if err := u.d.Auth.DeleteUser(c.Request.Context(), id); err != nil {
		u.fail(c, err)
		return
	}
	v, err := u.loadUsers(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "users", "user_list", v)
}
