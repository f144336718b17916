package heartbeat

import (
	"net/http"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// maxInput bounds a request body of the API.
const maxInput = 4 << 10

// logLimit is how many log entries GET /api/heartbeats/:id shows.
const logLimit = 50

// View is a check as the API shows it.
type View struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	PingURL       string     `json:"ping_url"`
	State         string     `json:"state"`
	PeriodSeconds int64      `json:"period_seconds,omitempty"`
	Schedule      string     `json:"schedule,omitempty"`
	Timezone      string     `json:"timezone"`
	GraceSeconds  int64      `json:"grace_seconds"`
	Type          string     `json:"type"`
	Level         app.Level  `json:"level"`
	LastPing      *time.Time `json:"last_ping"`
	LastSuccess   *time.Time `json:"last_success"`
	StartedAt     *time.Time `json:"started_at"`
	Deadline      *time.Time `json:"deadline"`
	AlertID       string     `json:"alert_id,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// PingView is a log entry as the API shows it.
type PingView struct {
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"`
	ExitStatus *int      `json:"exit_status,omitempty"`
	Body       string    `json:"body,omitempty"`
	RunID      string    `json:"rid,omitempty"`
	Method     string    `json:"method,omitempty"`
	Remote     string    `json:"remote,omitempty"`
	UserAgent  string    `json:"user_agent,omitempty"`
}

// View returns how the API shows h; the time zone is the one in effect.
func (s *Service) View(h *app.Heartbeat) View {
	tz := h.Timezone
	if tz == "" {
		tz = s.d.Timezone
	}
	return View{ID: h.ID, Name: h.Name, PingURL: s.PingURL(h.Key), State: string(h.State),
		PeriodSeconds: int64(h.Period / time.Second), Schedule: h.Schedule, Timezone: tz,
		GraceSeconds: int64(h.Grace / time.Second), Type: h.Type, Level: h.Level, LastPing: h.LastPing,
		LastSuccess: h.LastSuccess, StartedAt: h.StartedAt, Deadline: h.Deadline, AlertID: h.AlertID,
		CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt}
}

func viewPings(ps []app.HeartbeatPing) []PingView {
	out := make([]PingView, 0, len(ps))
	for _, p := range ps {
		out = append(out, PingView{At: p.At, Kind: p.Kind, ExitStatus: p.ExitStatus, Body: p.Body, RunID: p.RunID,
			Method: p.Method, Remote: p.Remote, UserAgent: p.UserAgent})
	}
	return out
}

// handleList is GET /api/heartbeats: the caller's checks.
func (s *Service) handleList(c *gin.Context) {
	hs, err := s.List(c.Request.Context(), web.UserFrom(c).ID)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	views := make([]View, 0, len(hs))
	for _, h := range hs {
		views = append(views, s.View(h))
	}
	c.JSON(http.StatusOK, gin.H{"heartbeats": views})
}

// handleCreate is POST /api/heartbeats (an Input) → 201 with the check.
func (s *Service) handleCreate(c *gin.Context) {
	var in Input
	if err := web.DecodeJSON(c, &in, web.Limit(maxInput)); err != nil {
		web.WriteError(c, err)
		return
	}
	h, err := s.Create(c.Request.Context(), web.UserFrom(c).ID, in)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, s.View(h))
}

// handleGet is GET /api/heartbeats/:id: the check and its latest pings.
func (s *Service) handleGet(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	h, log, err := s.Get(c.Request.Context(), web.UserFrom(c).ID, id, logLimit)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"heartbeat": s.View(h), "pings": viewPings(log)})
}

// handleUpdate is PATCH /api/heartbeats/:id (an Input).
func (s *Service) handleUpdate(c *gin.Context) {
	s.handleChange(c, func(userID, id string) (*app.Heartbeat, error) {
		var in Input
		if err := web.DecodeJSON(c, &in, web.Limit(maxInput)); err != nil {
			return nil, err
		}
		return s.Update(c.Request.Context(), userID, id, in)
	})
}

// handlePause is POST /api/heartbeats/:id/pause.
func (s *Service) handlePause(c *gin.Context) {
	s.handleChange(c, func(userID, id string) (*app.Heartbeat, error) {
		return s.Pause(c.Request.Context(), userID, id)
	})
}

func (s *Service) handleChange(c *gin.Context, fn func(userID, id string) (*app.Heartbeat, error)) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	h, err := fn(web.UserFrom(c).ID, id)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, s.View(h))
}

// handleDelete is DELETE /api/heartbeats/:id.
func (s *Service) handleDelete(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	if err := s.Delete(c.Request.Context(), web.UserFrom(c).ID, id); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, web.OK)
}
