package ui

import (
	"context"
	"net/http"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// Scheduled lists and cancels a user's scheduled events (app/schedule).
type Scheduled interface {
	List(ctx context.Context, userID string) ([]*app.ScheduledEvent, error)
	Cancel(ctx context.Context, userID, id, topic string) (*app.ScheduledEvent, error)
}

// scheduledPage is the content of the scheduled page and its list.
type scheduledPage struct {
	Events []*app.ScheduledEvent
}

func (u *UI) loadScheduled(c *gin.Context) (scheduledPage, error) {
	es, err := u.d.Scheduled.List(c.Request.Context(), user(c).ID)
	return scheduledPage{Events: es}, err
}

func (u *UI) handleScheduledPage(c *gin.Context) {
	v, err := u.loadScheduled(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.page(c, http.StatusOK, "scheduled", "Scheduled", v)
}

// handleScheduledList answers the list, which refreshes itself: an event
// delivered meanwhile leaves it.
func (u *UI) handleScheduledList(c *gin.Context) { u.scheduledList(c, nil) }

func (u *UI) handleCancelScheduled(c *gin.Context) {
	_, err := u.d.Scheduled.Cancel(c.Request.Context(), user(c).ID, c.Param("id"), "")
	u.scheduledList(c, err)
}

// scheduledList answers with the list, or with err.
func (u *UI) scheduledList(c *gin.Context, err error) {
	if err != nil {
		u.fail(c, err)
		return
	}
	v, err := u.loadScheduled(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "scheduled", "scheduled_list", v)
}
