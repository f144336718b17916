package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// allRoles are the channel roles, highest first.
var allRoles = []app.Role{app.RoleOwner, app.RoleAdmin, app.RoleModerator, app.RoleMember}

// membersPanel is a channel's member list with the moderation actions the
// viewer may take.
type membersPanel struct {
	ChannelID string
	Rows      []memberRow
	// CanBan offers the ban and unban form (moderators and above).
	CanBan bool
	// Live marks a reload: the header's member count is swapped too.
	Live bool
}

// memberRow is one member with what the viewer may do to them.
type memberRow struct {
	*app.Member
	Me bool
	// Roles are the roles the viewer may give this member, the current one
	// included; empty when they may not change it.
	Roles   []app.Role
	CanKick bool
	CanBan  bool
}

// loadMembers reads the channel's members and works out, from the viewer's
// role, which actions to offer on each. The service checks again on every
// action.
func (u *UI) loadMembers(ctx context.Context, usr *app.User, channelID string, role app.Role) (membersPanel, error) {
	ms, err := u.d.Channels.Members(ctx, channelID)
	if err != nil {
		return membersPanel{}, err
	}
	p := membersPanel{ChannelID: channelID, CanBan: app.AuthorizeChannelAction(role, app.ActionBan, "") == nil}
	for _, m := range ms {
		r := memberRow{Member: m, Me: m.UserID == usr.ID}
		if !r.Me {
			r.CanKick = app.AuthorizeChannelAction(role, app.ActionKick, m.Role) == nil
			r.CanBan = app.AuthorizeChannelAction(role, app.ActionBan, m.Role) == nil
		}
		for _, to := range allRoles {
			if to == m.Role || app.AuthorizeRoleChange(role, m.Role, to) == nil {
				r.Roles = append(r.Roles, to)
			}
		}
		if len(r.Roles) < 2 {
			r.Roles = nil
		}
		p.Rows = append(p.Rows, r)
	}
	return p, nil
}

// renderMembers answers with the channel's refreshed member list.
func (u *UI) renderMembers(c *gin.Context, channelID string) {
	ctx, usr := c.Request.Context(), user(c)
	_, role, err := u.d.Channels.Channel(ctx, usr, channelID)
	if err != nil {
		u.fail(c, err)
		return
	}
	p, err := u.loadMembers(ctx, usr, channelID, role)
	if err != nil {
		u.fail(c, err)
		return
	}
	p.Live = true
	u.partial(c, http.StatusOK, "channels_view", "channel_members", p)
}

// handleChannelMembers renders the member list, for a tab told that the
// members changed.
func (u *UI) handleChannelMembers(c *gin.Context) {
	if id, ok := u.uuidParam(c, "id", "channel"); ok {
		u.renderMembers(c, id)
	}
}

// handleSetMemberRole changes a member's role.
func (u *UI) handleSetMemberRole(c *gin.Context) {
	id, ok := u.uuidParam(c, "id", "channel")
	if !ok {
		return
	}
	uid, ok := u.uuidParam(c, "uid", "user")
	if !ok {
		return
	}
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	m, err := u.d.Channels.SetRole(c.Request.Context(), user(c), id, uid, app.Role(f.Get("role")))
	if err != nil {
		u.fail(c, err)
		return
	}
	u.flash(c, alertView{Kind: "success", Message: displayName(m.Username) + " is now " + string(m.Role) + ".", AutoHide: true})
	u.renderMembers(c, id)
}

// handleKickMember removes a member (user_id) from the channel.
func (u *UI) handleKickMember(c *gin.Context) {
	id, _, target, ok := u.moderationTarget(c)
	if !ok {
		return
	}
	if err := u.d.Channels.Kick(c.Request.Context(), user(c), id, target.ID); err != nil {
		u.fail(c, err)
		return
	}
	u.flash(c, alertView{Kind: "success", Message: target.Username + " was removed from the channel.", AutoHide: true})
	u.renderMembers(c, id)
}

// handleBanUser bans a user (user_id, or username for someone who is not a
// member) with a motive.
func (u *UI) handleBanUser(c *gin.Context) {
	id, f, target, ok := u.moderationTarget(c)
	if !ok {
		return
	}
	if _, err := u.d.Channels.Ban(c.Request.Context(), user(c), id, target.ID, strings.TrimSpace(f.Get("motive"))); err != nil {
		u.fail(c, err)
		return
	}
	u.flash(c, alertView{Kind: "success", Message: target.Username + " is banned from the channel.", AutoHide: true})
	u.renderMembers(c, id)
}

// handleUnbanUser lifts the ban of a user named by username (or user_id),
// with an optional motive.
func (u *UI) handleUnbanUser(c *gin.Context) {
	id, f, target, ok := u.moderationTarget(c)
	if !ok {
		return
	}
	if err := u.d.Channels.Unban(c.Request.Context(), user(c), id, target.ID, strings.TrimSpace(f.Get("motive"))); err != nil {
		u.fail(c, err)
		return
	}
	u.flash(c, alertView{Kind: "success", Message: target.Username + " may join the channel again.", AutoHide: true})
	u.renderMembers(c, id)
}

// moderationTarget reads the channel id and the form of a moderation
// action and finds its target: user_id, or else username. On failure it
// has answered.
func (u *UI) moderationTarget(c *gin.Context) (string, url.Values, *app.User, bool) {
	id, ok := u.uuidParam(c, "id", "channel")
	if !ok {
		return "", nil, nil, false
	}
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return "", nil, nil, false
	}
	ctx := c.Request.Context()
	var target *app.User
	switch uid, name := strings.TrimSpace(f.Get("user_id")), strings.TrimSpace(f.Get("username")); {
	case uid != "":
		if target, err = u.d.Users.FindUserByID(ctx, strings.ToLower(uid)); app.ErrorKind(err) == app.ENOTFOUND {
			err = app.Errorf(app.ENOTFOUND, "That user does not exist (any more).")
		}
	case name != "":
		if target, err = u.d.Users.FindUserByName(ctx, name); app.ErrorKind(err) == app.ENOTFOUND {
			err = app.Errorf(app.ENOTFOUND, "There is no user called “%s”.", name)
		}
	default:
		err = app.Errorf(app.EINVALID, "Name the user: give their username.")
	}
	if err != nil {
		u.fail(c, err)
		return "", nil, nil, false
	}
	return id, f, target, true
}

// displayName is a username, or "A deleted user" for a deleted account.
func displayName(name string) string {
	if name == "" {
		return "A deleted user"
	}
	return name
}

// Name is the member's username, or "A deleted user".
func (m memberRow) Name() string { return displayName(m.Username) }
