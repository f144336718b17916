package channels

import (
	"strconv"

	"github.com/belfry/belfry/app"
)

// The JSON shapes of the REST API. Times are RFC 3339 UTC with
// milliseconds, like event timestamps; absent values are null.

type channelView struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	CreatedBy   *string `json:"created_by"`
	MemberCount int     `json:"member_count"`
	// LastSeq is the seq of the channel's latest event: a client that
	// loads the channel over REST subscribes with since=last_seq.
	LastSeq int64 `json:"last_seq"`
	// Role is the caller's role, null when not a member.
	Role      *string `json:"role"`
	CreatedAt string  `json:"created_at"`
	UpdatedAt string  `json:"updated_at"`
}

func viewChannel(ch *app.Channel, role app.Role) channelView {
	return channelView{
		ID: ch.ID, Name: ch.Name, Description: ch.Description, CreatedBy: nullable(ch.CreatedBy),
		MemberCount: ch.MemberCount, LastSeq: ch.LastSeq, Role: nullable(string(role)),
		CreatedAt: timestamp(ch.CreatedAt), UpdatedAt: timestamp(ch.UpdatedAt),
	}
}

type memberView struct {
	UserID   string  `json:"user_id"`
	Username *string `json:"username"`
	Role     string  `json:"role"`
	JoinedAt string  `json:"joined_at"`
}

func viewMember(m *app.Member) memberView {
	return memberView{UserID: m.UserID, Username: nullable(m.Username), Role: string(m.Role), JoinedAt: timestamp(m.JoinedAt)}
}

type banView struct {
	ChannelID string  `json:"channel_id"`
	UserID    string  `json:"user_id"`
	BannedBy  *string `json:"banned_by"`
	Motive    string  `json:"motive"`
	CreatedAt string  `json:"created_at"`
}

func viewBan(b *app.Ban) banView {
	return banView{ChannelID: b.ChannelID, UserID: b.UserID, BannedBy: nullable(b.BannedBy), Motive: b.Motive, CreatedAt: timestamp(b.CreatedAt)}
}

type messageView struct {
	ID              string  `json:"id"`
	ChannelID       string  `json:"channel_id"`
	UserID          *string `json:"user_id"`
	Username        *string `json:"username"`
	ParentMessageID *string `json:"parent_message_id"`
	Content         string  `json:"content"`
	Seq             int64   `json:"seq"`
	CreatedAt       string  `json:"created_at"`
	EditedAt        *string `json:"edited_at"`
}

func viewMessage(m *app.Message) messageView {
	v := messageView{
		ID: m.ID, ChannelID: m.ChannelID, UserID: nullable(m.UserID), Username: nullable(m.Username),
		ParentMessageID: nullable(m.ParentMessageID), Content: m.Content, Seq: m.Seq, CreatedAt: timestamp(m.CreatedAt),
	}
	if m.EditedAt != nil {
		v.EditedAt = nullable(timestamp(*m.EditedAt))
	}
	return v
}

// messagePage is a page of history, newest first; next_cursor fetches the
// older messages, null on the last page.
type messagePage struct {
	Messages   []messageView `json:"messages"`
	NextCursor *string       `json:"next_cursor"`
}

func viewMessagePage(msgs []*app.Message, more bool) messagePage {
	p := messagePage{Messages: make([]messageView, len(msgs))}
	for i, m := range msgs {
		p.Messages[i] = viewMessage(m)
	}
	if more && len(msgs) > 0 {
		p.NextCursor = nullable(strconv.FormatInt(msgs[len(msgs)-1].Seq, 10))
	}
	return p
}
