package channels

import (
	"net/http"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
	"github.com/gin-gonic/gin"
)

// handleListMessages is GET /api/channels/:id/messages?cursor&limit
// (members): newest first, limit 1..100 (default 50), cursor the
// next_cursor of the previous page.
func (s *Service) handleListMessages(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	before, limit, err := pageQuery(c)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	msgs, more, err := s.Messages(c.Request.Context(), api.UserFrom(c), id, before, limit)
	if err != nil {
		api.WriteError(c, err)
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
func (s *Service) handlePostMessage(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req messageRequest
	if !decode(c, &req, false) {
		return
	}
	content, err := req.content()
	if err != nil {
		api.WriteError(c, err)
		return
	}
	var parent string
	if req.ParentMessageID != nil {
		if !isUUID(*req.ParentMessageID) {
			api.WriteError(c, app.Errorf(app.EINVALID, "Field parent_message_id must be a message id (a UUID)."))
			return
		}
		parent = strings.ToLower(*req.ParentMessageID)
	}
	m, err := s.Post(c.Request.Context(), api.UserFrom(c), id, content, parent)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewMessage(m))
}

// handleEditMessage is PATCH /api/channels/:id/messages/:message_id
// {content} (the author).
func (s *Service) handleEditMessage(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	messageID, ok := pathID(c, "message_id")
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
		api.WriteError(c, err)
		return
	}
	m, err := s.EditMessage(c.Request.Context(), api.UserFrom(c), id, messageID, content)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewMessage(m))
}

// handleDeleteMessage is DELETE /api/channels/:id/messages/:message_id
// (the author, or moderators and above).
func (s *Service) handleDeleteMessage(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	messageID, ok := pathID(c, "message_id")
	if !ok {
		return
	}
	reply(c, http.StatusOK, okBody, s.DeleteMessage(c.Request.Context(), api.UserFrom(c), id, messageID))
}
