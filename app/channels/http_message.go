package channels

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// handleListMessages is GET /api/channels/:id/messages?cursor&limit
// (members): newest first, limit 1..100 (default 50), cursor the
// next_cursor of the previous page.
func (a *API) handleListMessages(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	before, limit, err := pageQuery(c)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	msgs, more, err := a.s.Messages(c.Request.Context(), web.UserFrom(c), id, before, limit)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewMessagePage(msgs, more))
}

type messageRequest struct {
	Content         *string `json:"content"`
	ParentMessageID *string `json:"parent_message_id"`
}

// content returns the required content field.
func (r messageRequest) content() (string, error) {
	if r.Content == nil {
		return "", app.Errorf(app.EINVALID, "Field content is required.")
	}
	return *r.Content, nil
}

// handlePostMessage is POST /api/channels/:id/messages {content,
// parent_message_id?} (members).
func (a *API) handlePostMessage(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	var req messageRequest
	if !decode(c, &req, false) {
		return
	}
	content, err := req.content()
	if err != nil {
		web.WriteError(c, err)
		return
	}
	var parent string
	if req.ParentMessageID != nil {
		if parent, err = app.ParseID(*req.ParentMessageID); err != nil {
			web.WriteError(c, app.Errorf(app.EINVALID, "Field parent_message_id must be a message id (a UUID)."))
			return
		}
	}
	m, err := a.s.Post(c.Request.Context(), web.UserFrom(c), id, content, parent)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewMessage(m))
}

// handleEditMessage is PATCH /api/channels/:id/messages/:message_id
// {content} (the author).
func (a *API) handleEditMessage(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	messageID, ok := web.PathID(c, "message_id")
	if !ok {
		return
	}
	var req messageRequest
	if !decode(c, &req, false) {
		return
	}
	content, err := req.content()
	if err == nil && req.ParentMessageID != nil {
		err = app.Errorf(app.EINVALID, "A message's parent cannot be changed.")
	}
	if err != nil {
		web.WriteError(c, err)
		return
	}
	m, err := a.s.EditMessage(c.Request.Context(), web.UserFrom(c), id, messageID, content)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewMessage(m))
}

// handleDeleteMessage is DELETE /api/channels/:id/messages/:message_id
// (the author, or moderators and above).
func (a *API) handleDeleteMessage(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	messageID, ok := web.PathID(c, "message_id")
	if !ok {
		return
	}
	reply(c, http.StatusOK, web.OK, a.s.DeleteMessage(c.Request.Context(), web.UserFrom(c), id, messageID))
}
