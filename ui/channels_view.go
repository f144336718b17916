package ui

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// historyPageSize is how many messages the channel view loads at a time.
const historyPageSize = 50

// channelPage is the content of a channel's page.
type channelPage struct {
	Channel *app.Channel
	Role    app.Role // the viewer's, "" when not a member
	Me      *app.User
	// LastSeq is where the live stream takes over from the history: the
	// channel's latest event before the history was read.
	LastSeq  int64
	Messages messageList
	Members  membersPanel
	// Blank is an empty message, rendered into a <template> that
	// channels.js fills for live messages.
	Blank messageRow
}

// may reports whether the viewer's role allows action (without a target).
func (p channelPage) may(action app.ChannelAction) bool {
	return app.AuthorizeChannelAction(p.Role, action, "") == nil
}

// CanModerate reports whether the viewer may delete anyone's messages.
func (p channelPage) CanModerate() bool { return p.may(app.ActionDeleteMessage) }

// CanManage reports whether the viewer may rename the channel.
func (p channelPage) CanManage() bool { return p.may(app.ActionUpdateChannel) }

// CanDelete reports whether the viewer may delete the channel.
func (p channelPage) CanDelete() bool { return p.may(app.ActionDeleteChannel) }

// messageList is a page of a channel's history, oldest first.
type messageList struct {
	ChannelID string
	Items     []messageRow
	// More is the URL of the older messages, "" at the start.
	More string
	// Continued is true for an older page: no empty state.
	Continued bool
}

// messageRow is one message as the viewer sees it.
type messageRow struct {
	*app.Message
	Mine bool
	// Parent is the message this one replies to, when it is on the same
	// page.
	Parent *app.Message
	// Blank marks the empty message of the live template: every optional
	// part is rendered, for channels.js to fill or remove.
	Blank bool
}

// snippet shortens a message for a reply's quote.
func snippet(s string) string {
	const limit = 80
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit-1]) + "…"
}

// ParentSnippet is the start of the parent's text.
func (m messageRow) ParentSnippet() string {
	if m.Parent == nil {
		return ""
	}
	return snippet(m.Parent.Content)
}

// loadMessages reads the page of history before the message numbered
// before (0: the newest) for the viewer.
func (u *UI) loadMessages(ctx context.Context, usr *app.User, channelID string, before int64) (messageList, error) {
	msgs, more, err := u.d.Channels.Messages(ctx, usr, channelID, before, historyPageSize)
	if err != nil {
		return messageList{}, err
	}
	slices.Reverse(msgs)
	byID := make(map[string]*app.Message, len(msgs))
	for _, m := range msgs {
		byID[m.ID] = m
	}
	v := messageList{ChannelID: channelID, Continued: before > 0}
	for _, m := range msgs {
		v.Items = append(v.Items, messageRow{Message: m, Mine: m.UserID == usr.ID, Parent: byID[m.ParentMessageID]})
	}
	if more && len(msgs) > 0 {
		v.More = "/ui/channels/" + channelID + "/messages?before=" + strconv.FormatInt(msgs[0].Seq, 10)
	}
	return v, nil
}

// handleChannelPage shows a channel: its history and live messages to
// members, its members to everyone signed in.
func (u *UI) handleChannelPage(c *gin.Context) {
	id, ok := u.uuidParam(c, "id", "channel")
	if !ok {
		return
	}
	ctx, usr := c.Request.Context(), user(c)
	// The channel (and its last seq) is read before the history: a message
	// posted in between is then both in the history and replayed, which
	// channels.js notices, rather than in neither.
	ch, role, err := u.d.Channels.Channel(ctx, usr, id)
	if err != nil {
		u.fail(c, err)
		return
	}
	v := channelPage{Channel: ch, Role: role, Me: usr, LastSeq: ch.LastSeq, Messages: messageList{ChannelID: id},
		Blank: messageRow{Message: &app.Message{ChannelID: id}, Blank: true}}
	if role != "" {
		if v.Messages, err = u.loadMessages(ctx, usr, id, 0); err != nil {
			u.fail(c, err)
			return
		}
	}
	if v.Members, err = u.loadMembers(ctx, usr, id, role); err != nil {
		u.fail(c, err)
		return
	}
	u.page(c, http.StatusOK, "channels_view", ch.Name, v)
}

// handleChannelMessages answers with a page of history: the newest (a tab
// whose missed events could not be replayed reloads it), or with
// before=<seq> the messages before that one.
func (u *UI) handleChannelMessages(c *gin.Context) {
	id, ok := u.uuidParam(c, "id", "channel")
	if !ok {
		return
	}
	var before int64
	if s := c.Query("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			u.fail(c, app.Errorf(app.EINVALID, "The history position %q is malformed.", s))
			return
		}
		before = n
	}
	v, err := u.loadMessages(c.Request.Context(), user(c), id, before)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "channels_view", "message_items", v)
}

// AuthorName is the author's username, or "A deleted user".
func (m messageRow) AuthorName() string { return displayName(m.Username) }

// ParentAuthor is the username of the parent's author.
func (m messageRow) ParentAuthor() string {
	if m.Parent == nil {
		return ""
	}
	return displayName(m.Parent.Username)
}
