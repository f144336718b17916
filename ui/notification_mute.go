package ui

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// muteThisView is the answer to "Mute this": the mute made, which replaces
// the item's mute menu.
type muteThisView struct {
	Mute *app.Mute
}

// handleMuteNotification is "Mute this" on a notification that names an
// object: it mutes that object for the caller, for the duration chosen
// ("for", one of muteDurations), so nobody types app_label, model_name and
// object_id. Another user's notification, like a missing one, is 404; one
// without an object is 400.
func (u *UI) handleMuteNotification(c *gin.Context) {
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	ctx, usr := c.Request.Context(), user(c)
	var n *app.Notification
	err = app.CodedErrorf(app.ENOTFOUND, app.CodeNotificationNotFound, "Notification not found.")
	if id, perr := app.ParseID(c.Param("id")); perr == nil {
		if n, err = u.d.Notifications.FindNotification(ctx, id); err == nil && n.UserID != usr.ID {
			err = app.CodedErrorf(app.ENOTFOUND, app.CodeNotificationNotFound, "Notification not found.")
		}
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	if n.Object == nil {
		u.fail(c, app.Errorf(app.EINVALID, "This notification names no object to mute."))
		return
	}
	m, err := u.newMute(usr.ID, *n.Object, f.Get("for"))
	if err == nil {
		err = u.d.Mutes.CreateMute(ctx, m)
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "", "mute_this_done", muteThisView{Mute: m})
}
