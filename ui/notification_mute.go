package ui

import (
	"context"
	"net/http"
	"slices"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// muteThisView is the answer to "Mute this": the mute made, which replaces
// the item's mute menu and, Done, takes the focus.
type muteThisView struct {
	Mute *app.Mute
	Done bool
}

// mutedView is the template function that builds a muteThisView.
func mutedView(m *app.Mute, done bool) muteThisView { return muteThisView{Mute: m, Done: done} }

// itemView is one notification of a list, with the caller's active mute of
// its object (nil: none, or no object).
type itemView struct {
	*app.Notification
	Mute *app.Mute
	// Escalation is the state of its escalation ladder ("": none).
	Escalation string
}

// itemOf is the template function that pairs a list's notification with
// the mute of its object from muted and its ladder's state from escalated.
func itemOf(n *app.Notification, muted map[app.ObjectRef]*app.Mute, escalated map[string]string) itemView {
	v := itemView{Notification: n, Escalation: escalated[n.ID]}
	if n.Object != nil {
		v.Mute = muted[*n.Object]
	}
	return v
}

// activeMutes returns the user's mutes in force, by object, when one of ns
// names an object (nil otherwise: no query).
func (u *UI) activeMutes(ctx context.Context, userID string, ns []*app.Notification) (map[app.ObjectRef]*app.Mute, error) {
	if !slices.ContainsFunc(ns, func(n *app.Notification) bool { return n.Object != nil }) {
		return nil, nil
	}
	ms, err := u.d.Mutes.ListMutes(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := u.now()
	out := make(map[app.ObjectRef]*app.Mute, len(ms))
	for _, m := range ms {
		if m.Active(now) {
			out[m.Object] = m
		}
	}
	return out, nil
}

// handleMuteNotification is "Mute this" on a notification that names an
// object: it mutes that object for the caller, for the duration chosen
// ("for", one of muteDurations), so nobody types app_label, model_name and
// object_id. Another user's notification, like a missing one, is 404; one
// without an object is 400.
func (u *UI) handleMuteNotification(c *gin.Context) {
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	ctx, usr := c.Request.Context(), user(c)
	var n *app.Notification
	err = app.CodedErrorf(app.ENOTFOUND, app.CodeNotificationNotFound, "Notification not found.")
	if id, perr := app.ParseID(c.Param("id")); perr == nil {
		if n, err = u.d.Notifications.FindNotification(ctx, id); err == nil && n.UserID != usr.ID {
			err = app.CodedErrorf(app.ENOTFOUND, app.CodeNotificationNotFound, "Notification not found.")
		}
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	if n.Object == nil {
		u.fail(c, app.Errorf(app.EINVALID, "This notification names no object to mute."))
		return
	}
	m, err := u.newMute(usr.ID, *n.Object, f.Get("for"))
	if err == nil {
		err = u.d.Mutes.CreateMute(ctx, m)
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "", "mute_this_done", muteThisView{Mute: m})
}
