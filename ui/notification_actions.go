package ui

import (
	"fmt"
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// handleMarkAllRead marks every notification of the user read and answers
// with the refreshed list of the view that asked.
func (u *UI) handleMarkAllRead(c *gin.Context) {
	q, ok := u.listQueryOf(c)
	if !ok {
		return
	}
	usr := user(c)
	if _, err := u.d.Inbox.MarkAllRead(c.Request.Context(), usr.ID); err != nil {
		u.fail(c, err)
		return
	}
	u.renderList(c, q)
}

// handleDeleteRead deletes the user's read notifications (the page asked for
// confirmation) and answers with the refreshed list and a message.
func (u *UI) handleDeleteRead(c *gin.Context) {
	q, ok := u.listQueryOf(c)
	if !ok {
		return
	}
	usr := user(c)
	n, err := u.d.Inbox.DeleteRead(c.Request.Context(), usr.ID)
	if err != nil {
		u.fail(c, err)
		return
	}
	msg := "There were no read notifications to delete."
	switch {
	case n == 1:
		msg = "Deleted 1 read notification."
	case n > 1:
		msg = fmt.Sprintf("Deleted %d read notifications.", n)
	}
	u.flash(c, alertView{Kind: "success", Message: msg, AutoHide: true})
	u.renderList(c, q)
}

// handleDeleteNotification deletes one notification; the item removes
// itself (hx-swap="delete"), so the answer is empty.
func (u *UI) handleDeleteNotification(c *gin.Context) {
	// An id that is not a UUID names no notification, like a missing one.
	var err error = app.CodedErrorf(app.ENOTFOUND, app.CodeNotificationNotFound, "Notification not found.")
	if id, perr := app.ParseID(c.Param("id")); perr == nil {
		err = u.d.Inbox.Delete(c.Request.Context(), user(c).ID, id)
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	c.Status(http.StatusOK)
}

// handleBadge renders the bell's badge, for a tab that reconnects.
func (u *UI) handleBadge(c *gin.Context) {
	n, err := u.d.Notifications.UnreadCount(c.Request.Context(), user(c).ID)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "", "badge", badgeView{Count: n})
}
