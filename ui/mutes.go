package ui

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// muteDuration is one choice of how long a mute lasts; D 0 is forever.
// Quick marks the choices a notification's "Mute this" offers.
type muteDuration struct {
	Value, Label string
	D            time.Duration
	Quick        bool
}

// muteDurations are the choices of the mute form.
var muteDurations = []muteDuration{
	{"1h", "for 1 hour", time.Hour, true},
	{"8h", "for 8 hours", 8 * time.Hour, false},
	{"24h", "for 1 day", 24 * time.Hour, true},
	{"168h", "for 1 week", 7 * 24 * time.Hour, true},
	{"720h", "for 30 days", 30 * 24 * time.Hour, false},
	{"forever", "forever", 0, true},
}

// quickMutes are the durations "Mute this" offers, worded as its buttons
// are: "1 hour", "1 day", "1 week", "forever".
func quickMutes() []muteDuration {
	var out []muteDuration
	for _, d := range muteDurations {
		if d.Quick {
			d.Label = strings.TrimPrefix(d.Label, "for ")
			out = append(out, d)
		}
	}
	return out
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
	m, err := u.newMute(user(c).ID, obj, f.Get("for"))
	if err != nil {
		u.failInline(c, err)
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

// newMute is userID's mute of obj for the duration named by value (one of
// muteDurations' values), from now. A value that names none is EINVALID.
func (u *UI) newMute(userID string, obj app.ObjectRef, value string) (*app.Mute, error) {
	i := slices.IndexFunc(muteDurations, func(d muteDuration) bool { return d.Value == value })
	if i < 0 {
		return nil, app.Errorf(app.EINVALID, "Choose how long to mute: 1 hour, 8 hours, 1 day, 1 week, 30 days or forever.")
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("mute id: %w", err)
	}
	now := u.now().UTC()
	m := &app.Mute{ID: id.String(), UserID: userID, Object: obj, CreatedAt: now}
	if d := muteDurations[i].D; d > 0 {
		till := now.Add(d)
		m.ValidTill = &till
	}
	return m, nil
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
