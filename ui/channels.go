package ui

import (
	"net/http"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// uuidParam returns the URL parameter name when it is a UUID, lower-cased;
// otherwise it answers 400 and returns false.
func (u *UI) uuidParam(c *gin.Context, name, what string) (string, bool) {
	id := strings.ToLower(c.Param(name))
	if len(id) != 36 || uuid.Validate(id) != nil {
		u.fail(c, app.Errorf(app.EINVALID, "The %s id %q is malformed.", what, c.Param(name)))
		return "", false
	}
	return id, true
}

// channelsPage is the content of the channels page and of its list.
type channelsPage struct {
	Channels []channelRow
}

// channelRow is a channel with the viewer's role in it ("" when not a
// member).
type channelRow struct {
	*app.Channel
	Role app.Role
}

func (u *UI) loadChannels(c *gin.Context) (channelsPage, error) {
	chs, roles, err := u.d.Channels.ListChannels(c.Request.Context(), user(c))
	if err != nil {
		return channelsPage{}, err
	}
	v := channelsPage{}
	for _, ch := range chs {
		v.Channels = append(v.Channels, channelRow{Channel: ch, Role: roles[ch.ID]})
	}
	return v, nil
}

func (u *UI) handleChannelsPage(c *gin.Context) {
	v, err := u.loadChannels(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.page(c, http.StatusOK, "channels", "Channels", v)
}

// handleChannelList renders the list, for a tab told that a channel was
// created.
func (u *UI) handleChannelList(c *gin.Context) {
	v, err := u.loadChannels(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "channels", "channel_list", v)
}

// handleCreateChannel creates a channel owned by the user and goes there.
func (u *UI) handleCreateChannel(c *gin.Context) {
	f, err := form(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	ch, err := u.d.Channels.CreateChannel(c.Request.Context(), user(c), f.Get("name"), strings.TrimSpace(f.Get("description")))
	if err != nil {
		u.failInline(c, err)
		return
	}
	c.Header("HX-Redirect", "/channels/"+ch.ID)
	c.Status(http.StatusOK)
}

// handleJoinChannel makes the user a member and opens the channel.
func (u *UI) handleJoinChannel(c *gin.Context) {
	id, ok := u.uuidParam(c, "id", "channel")
	if !ok {
		return
	}
	if _, err := u.d.Channels.Join(c.Request.Context(), user(c), id); err != nil {
		u.fail(c, err)
		return
	}
	c.Header("HX-Redirect", "/channels/"+id)
	c.Status(http.StatusOK)
}

// handleLeaveChannel ends the user's membership. From the channel itself
// (view=channel) it goes back to the list; on the list it answers with the
// channel's row.
func (u *UI) handleLeaveChannel(c *gin.Context) {
	id, ok := u.uuidParam(c, "id", "channel")
	if !ok {
		return
	}
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	ctx, usr := c.Request.Context(), user(c)
	if err := u.d.Channels.Leave(ctx, usr, id); err != nil {
		u.fail(c, err)
		return
	}
	if f.Get("view") == "channel" {
		c.Header("HX-Redirect", "/channels")
		c.Status(http.StatusOK)
		return
	}
	ch, role, err := u.d.Channels.Channel(ctx, usr, id)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.flash(c, alertView{Kind: "success", Message: "You left " + ch.Name + ".", AutoHide: true})
	u.partial(c, http.StatusOK, "channels", "channel_row", channelRow{Channel: ch, Role: role})
}

// handleUpdateChannel renames the channel or changes its description
// (owners and admins) and reloads the page; other members see the change
// over the socket.
func (u *UI) handleUpdateChannel(c *gin.Context) {
	id, ok := u.uuidParam(c, "id", "channel")
	if !ok {
		return
	}
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	name, desc := f.Get("name"), strings.TrimSpace(f.Get("description"))
	if _, err := u.d.Channels.UpdateChannel(c.Request.Context(), user(c), id, app.ChannelUpdate{Name: &name, Description: &desc}); err != nil {
		u.fail(c, err)
		return
	}
	c.Header("HX-Refresh", "true")
	c.Status(http.StatusOK)
}

// handleDeleteChannel deletes the channel (owners; the page asked first)
// and goes back to the list.
func (u *UI) handleDeleteChannel(c *gin.Context) {
	id, ok := u.uuidParam(c, "id", "channel")
	if !ok {
		return
	}
	if err := u.d.Channels.DeleteChannel(c.Request.Context(), user(c), id); err != nil {
		u.fail(c, err)
		return
	}
	c.Header("HX-Redirect", "/channels")
	c.Status(http.StatusOK)
}
