package ui

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// muteDurations are the choices of the mute form; 0 is forever.
var muteDurations = []struct {
	Value, Label string
	D            time.Duration
}{
	{"1h", "for 1 hour", time.Hour},
	{"8h", "for 8 hours", 8 * time.Hour},
	{"24h", "for 1 day", 24 * time.Hour},
	{"168h", "for 1 week", 7 * 24 * time.Hour},
	{"720h", "for 30 days", 30 * 24 * time.Hour},
	{"forever", "forever", 0},
}

// mutesPage is the content of the mutes page and of its list partial.
type mutesPage struct {
	Mutes     []*app.Mute
	Durations any
	Created   *app.Mute // the mute just added, for a confirmation
}

func (u *UI) loadMutes(c *gin.Context) (mutesPage, error) {
	ms, err := u.d.Mutes.ListMutes(c.Request.Context(), user(c).ID)
	if err != nil {
		return mutesPage{}, err
	}
	now := u.now()
	active := ms[:0:0]
	for _, m := range ms {
		if m.Active(now) {
			active = append(active, m)
		}
	}
	return mutesPage{Mutes: active, Durations: muteDurations}, nil
}

func (u *UI) handleMutesPage(c *gin.Context) {
	v, err := u.loadMutes(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.page(c, http.StatusOK, "mutes", "Mutes", v)
}

// handleCreateMute mutes an object for the chosen time. It answers the
// form's result area with a confirmation and swaps in the new list; a bad
// form gets the alert instead.
func (u *UI) handleCreateMute(c *gin.Context) {
	f, err := form(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	obj := app.ObjectRef{AppLabel: strings.TrimSpace(f.Get("app_label")), ModelName: strings.TrimSpace(f.Get("model_name")), ObjectID: strings.TrimSpace(f.Get("object_id"))}
	if err := obj.Validate(); err != nil {
		u.failInline(c, err)
		return
	}
	now := u.now().UTC()
	id, err := uuid.NewV7()
	if err != nil {
		u.failInline(c, fmt.Errorf("mute id: %w", err))
		return
	}
	m := &app.Mute{ID: id.String(), UserID: user(c).ID, Object: obj, CreatedAt: now}
	found := false
	for _, d := range muteDurations {
		if d.Value == f.Get("for") {
			found = true
			if d.D > 0 {
				till := now.Add(d.D)
				m.ValidTill = &till
			}
		}
	}
	if !found {
		u.failInline(c, app.Errorf(app.EINVALID, "Choose how long to mute: 1 hour, 8 hours, 1 day, 1 week, 30 days or forever."))
		return
	}
	if err := u.d.Mutes.CreateMute(c.Request.Context(), m); err != nil {
		u.failInline(c, err)
		return
	}
	v, err := u.loadMutes(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	v.Created = m
	u.partial(c, http.StatusOK, "mutes", "mute_created", v)
}

// handleDeleteMute unmutes an object and answers with the list.
func (u *UI) handleDeleteMute(c *gin.Context) {
	if err := u.d.Mutes.DeleteMute(c.Request.Context(), user(c).ID, c.Param("id")); err != nil {
		u.fail(c, err)
		return
	}
	v, err := u.loadMutes(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "mutes", "mute_list", v)
}
