package poll

import (
	"maps"
	"net/http"
	"slices"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// handleGet is GET /api/v1/client/notifications/{id}: one notification of
// the caller, with an ETag.
func (s *Server) handleGet(c *gin.Context) {
	n, ok := s.ownNotification(c)
	if !ok {
		return
	}
	s.writeCacheable(c, viewOf(n))
}

// handleAcknowledge is POST /api/v1/client/notifications/{id}/acknowledge:
// pending → acknowledged (and read). It answers 200 with the updated
// notification, 409 NOTIFICATION_ALREADY_RESPONDED when it was not pending,
// and publishes a ChangeAcknowledged so the user's sockets update.
func (s *Server) handleAcknowledge(c *gin.Context) {
	n, ok := s.ownNotification(c)
	if !ok {
		return
	}
	updated, err := s.d.Inbox.Acknowledge(c.Request.Context(), n.UserID, n.ID)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewOf(updated))
}

// ownNotification loads the notification named by the path and checks that
// it belongs to the caller. Otherwise it answers 400 INVALID_PARAMETER for a
// malformed id or any query parameter, 404 NOTIFICATION_NOT_FOUND or 403 NOTIFICATION_ACCESS_DENIED
// and returns false.
func (s *Server) ownNotification(c *gin.Context) (*app.Notification, bool) {
	if err := noQuery(c); err != nil {
		web.WriteError(c, err)
		return nil, false
	}
	id, err := app.ParseID(c.Param("id"))
	if err != nil {
		web.WriteError(c, app.Errorf(app.EINVALID, "Path parameter id must be a notification UUID such as 0190a5c4-7e2b-7c3d-9f10-2a4b6c8d0e1f, not %q.", web.Clip(c.Param("id"), 64)))
		return nil, false
	}
	n, err := s.d.Notifications.FindNotification(c.Request.Context(), id)
	if err != nil {
		web.WriteError(c, err)
		return nil, false
	}
	if n.UserID != web.UserFrom(c).ID {
		web.WriteError(c, accessDenied())
		return nil, false
	}
	return n, true
}

// noQuery refuses query parameters on endpoints that take none, as the list
// refuses unknown ones: a misspelt option never passes silently.
func noQuery(c *gin.Context) error {
	q, err := web.Query(c)
	if err != nil || len(q) == 0 {
		return err
	}
	return app.Errorf(app.EINVALID, "Unknown query parameter %q; this endpoint takes none.", web.Clip(slices.Sorted(maps.Keys(q))[0], 64))
}

func accessDenied() error {
	return app.CodedErrorf(app.EFORBIDDEN, app.CodeNotificationDenied, "This notification belongs to another user.")
}
