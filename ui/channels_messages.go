package ui

import (
	"net/http"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// Posting, editing and deleting answer 204 No Content: the message's event
// reaches every subscribed tab, the author's included, over /ws/channels/.

// handlePostMessage posts content to the channel, as a reply when
// parent_message_id names a message of the channel.
func (u *UI) handlePostMessage(c *gin.Context) {
	id, ok := u.uuidParam(c, "id", "channel")
	if !ok {
		return
	}
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	parent := strings.ToLower(strings.TrimSpace(f.Get("parent_message_id")))
	if parent != "" && (len(parent) != 36 || uuid.Validate(parent) != nil) {
		u.fail(c, app.Errorf(app.EINVALID, "The message replied to is malformed: %q.", f.Get("parent_message_id")))
		return
	}
	if _, err := u.d.Channels.Post(c.Request.Context(), user(c), id, f.Get("content"), parent); err != nil {
		u.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// handleEditMessage replaces the content of the user's own message.
func (u *UI) handleEditMessage(c *gin.Context) {
	id, ok := u.uuidParam(c, "id", "channel")
	if !ok {
		return
	}
	mid, ok := u.uuidParam(c, "mid", "message")
	if !ok {
		return
	}
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	if _, err := u.d.Channels.EditMessage(c.Request.Context(), user(c), id, mid, f.Get("content")); err != nil {
		u.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// handleDeleteMessage deletes a message: the user's own, or anyone's for
// moderators and above.
func (u *UI) handleDeleteMessage(c *gin.Context) {
	id, ok := u.uuidParam(c, "id", "channel")
	if !ok {
		return
	}
	mid, ok := u.uuidParam(c, "mid", "message")
	if !ok {
		return
	}
	if err := u.d.Channels.DeleteMessage(c.Request.Context(), user(c), id, mid); err != nil {
		u.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
