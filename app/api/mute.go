package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// muteRequest is the body of POST /api/notifications/mutes.
type muteRequest struct {
	AppLabel  string  `json:"app_label"`
	ModelName string  `json:"model_name"`
	ObjectID  string  `json:"object_id"`
	ValidTill *string `json:"valid_till"`
}

// muteView is a mute as the API shows it, flat like the request.
type muteView struct {
	ID        string  `json:"id"`
	AppLabel  string  `json:"app_label"`
	ModelName string  `json:"model_name"`
	ObjectID  string  `json:"object_id"`
	ValidTill *string `json:"valid_till"`
	CreatedAt string  `json:"created_at"`
}

func viewMute(m *app.Mute) muteView {
	v := muteView{
		ID: m.ID, AppLabel: m.Object.AppLabel, ModelName: m.Object.ModelName, ObjectID: m.Object.ObjectID,
		CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339),
	}
	if m.ValidTill != nil {
		s := m.ValidTill.UTC().Format(time.RFC3339)
		v.ValidTill = &s
	}
	return v
}

// newMute validates a request and builds the mute it asks for.
func newMute(req muteRequest, userID string, now time.Time) (*app.Mute, error) {
	obj := app.ObjectRef{AppLabel: req.AppLabel, ModelName: req.ModelName, ObjectID: req.ObjectID}
	if err := obj.Validate(); err != nil {
		return nil, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("mute id: %w", err)
	}
	m := &app.Mute{ID: id.String(), UserID: userID, Object: obj, CreatedAt: now.UTC()}
	if req.ValidTill != nil {
		till, err := time.Parse(time.RFC3339, *req.ValidTill)
		if err != nil {
			return nil, app.Errorf(app.EINVALID, "Field valid_till must be an RFC 3339 time such as 2026-04-01T12:00:00Z.")
		}
		if !till.After(now) {
			return nil, app.Errorf(app.EINVALID, "Field valid_till must be in the future.")
		}
		till = till.UTC()
		m.ValidTill = &till
	}
	return m, nil
}

// handleCreateMute is POST /api/notifications/mutes: the caller stops
// receiving notifications about one object, until valid_till or forever.
func (s *Server) handleCreateMute(c *gin.Context) {
	var req muteRequest
	if err := web.DecodeJSON(c, &req); err != nil {
		web.WriteError(c, err)
		return
	}
	m, err := newMute(req, web.UserFrom(c).ID, s.d.Clock.Now())
	if err != nil {
		web.WriteError(c, err)
		return
	}
	if err := s.d.Mutes.CreateMute(c.Request.Context(), m); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewMute(m))
}

// handleListMutes is GET /api/notifications/mutes: the caller's active
// mutes.
func (s *Server) handleListMutes(c *gin.Context) {
	ms, err := s.d.Mutes.ListMutes(c.Request.Context(), web.UserFrom(c).ID)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	now := s.d.Clock.Now()
	views := make([]muteView, 0, len(ms))
	for _, m := range ms {
		if m.Active(now) {
			views = append(views, viewMute(m))
		}
	}
	c.JSON(http.StatusOK, gin.H{"mutes": views})
}

// handleDeleteMute is DELETE /api/notifications/mutes/:id.
func (s *Server) handleDeleteMute(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	if err := s.d.Mutes.DeleteMute(c.Request.Context(), web.UserFrom(c).ID, id); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, web.OK)
}
