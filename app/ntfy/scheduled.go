package ntfy

import (
	"cmp"
	"net/http"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// publishLater keeps m for its X-Delay/At/In time and answers, as ntfy
// does, the message with its future time; its id (also its sequence_id)
// cancels it: DELETE /<topic>/<id>.
func (s *Service) publishLater(c *gin.Context, user *app.User, m *message) {
	at, err := deliveryTime(m.Delay, s.d.Clock.Now(), cmp.Or(s.d.Zone, time.UTC))
	if err != nil {
		writeError(c, err)
		return
	}
	e, err := s.d.Publisher.PublishAt(c.Request.Context(), user, m.ingest(), at)
	if err != nil {
		writeError(c, fromScheduleError(err, m.Delay))
		return
	}
	a := m.answer(e.DeliverAt)
	a.ID, a.SequenceID = e.ID, e.ID
	c.JSON(http.StatusOK, a)
}

// handleCancel is DELETE /<topic>/<sequence_id> (ntfy 2.16): a message
// still scheduled is cancelled, and the answer is ntfy's message_delete
// event about it. Delivered messages are Belfry notifications, deleted
// through Belfry's own API; their ids, like unknown ones, are 404.
func (s *Service) handleCancel(c *gin.Context) {
	topic := c.Param("topic")
	user, ok := s.topicPublisher(c, topic)
	if !ok {
		return
	}
	id, err := app.ParseID(c.Param("sequence"))
	if err != nil {
		writeError(c, errNotFound.wrap("no scheduled message %q on topic %s", c.Param("sequence"), topic))
		return
	}
	if _, err := s.d.Scheduled.Cancel(c.Request.Context(), user.ID, id, topic); err != nil {
		if app.ErrorKind(err) == app.ENOTFOUND {
			err = errNotFound.wrap("no scheduled message %s on topic %s: it was delivered, cancelled or never scheduled", id, topic)
		}
		writeError(c, err)
		return
	}
	ev, err := uuid.NewV7()
	if err != nil { // the system's randomness failed: a random id still names the event
		ev = uuid.New()
	}
	c.JSON(http.StatusOK, answer{ID: ev.String(), Time: s.d.Clock.Now().Unix(), Event: "message_delete", Topic: topic, SequenceID: id})
}
