package api

import (
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// handlePublish is POST /api/v1/events: it hands the event to the
// dispatcher and answers 202 with the notifications created and the number
// of webhook deliveries queued.
func (s *Server) handlePublish(c *gin.Context) {
	var ev app.Event
	if err := web.DecodeJSON(c, &ev); err != nil {
		web.WriteError(c, err)
		return
	}
	res, err := s.d.Dispatcher.Notify(c.Request.Context(), web.UserFrom(c), &ev)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	refs := res.Notifications
	if refs == nil {
		refs = []app.NotificationRef{}
	}
	c.JSON(http.StatusAccepted, app.DispatchResult{Notifications: refs, Webhooks: res.Webhooks})
}
