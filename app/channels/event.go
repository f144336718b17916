package channels

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/belfry/belfry/app"
)

// Event types of spec/channels-websocket-events.txt.
const (
	EventChannelMessage    = "channel_message"
	EventMessageUpdated    = "message_updated"
	EventMessageDeleted    = "message_deleted"
	EventMessageReply      = "message_reply"
	EventMemberJoined      = "member_joined"
	EventMemberLeft        = "member_left"
	EventMemberRoleUpdated = "member_role_updated"
	EventUserBanned        = "user_banned"
	EventUserUnbanned      = "user_unbanned"
	EventUserKicked        = "user_kicked"
	EventChannelCreated    = "channel_created"
	EventChannelUpdated    = "channel_updated"
	EventChannelDeleted    = "channel_deleted"
	EventUserTyping        = "user_typing"
)

// Subscription names.
const (
	GlobalStream  = "global"
	channelPrefix = "channel:"
	userPrefix    = "user:"
)

// ChannelStream is the subscription name of a channel's events.
func ChannelStream(channelID string) string { return channelPrefix + channelID }

// UserStream is the subscription name of a user's moderation events.
func UserStream(userID string) string { return userPrefix + userID }

// timestampLayout is the envelope's timestamp: RFC 3339, milliseconds, UTC.
const timestampLayout = "2006-01-02T15:04:05.000Z"

func timestamp(t time.Time) string { return t.UTC().Format(timestampLayout) }

// envelope is every event frame. Seq is set on the events of a channel's
// stream that are stored for recovery; typing indicators and the global and
// user streams carry none.
type envelope struct {
	Type      string          `json:"type"`
	Timestamp string          `json:"timestamp"`
	Channel   string          `json:"channel"`
	Seq       int64           `json:"seq,omitempty"`
	Data      json.RawMessage `json:"data"`
}

// eventFrame encodes an event frame.
func eventFrame(typ, stream string, seq int64, at time.Time, data []byte) []byte {
	b, err := json.Marshal(envelope{Type: typ, Timestamp: timestamp(at), Channel: stream, Seq: seq, Data: data})
	if err != nil { // data is always JSON this package produced
		panic(fmt.Sprintf("channels: encode %s frame: %v", typ, err))
	}
	return b
}

// channelFrame is the frame of a stored channel event, live or replayed.
func channelFrame(ev *app.ChannelEvent) []byte {
	return eventFrame(ev.Type, ChannelStream(ev.ChannelID), ev.Seq, ev.CreatedAt, ev.Data)
}

// mustJSON encodes event data, which is always encodable.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("channels: encode event data: %v", err))
	}
	return b
}

// newEvent returns an event of the channel with data, to be recorded by
// the store.
func newEvent(channelID, typ string, data any) *app.ChannelEvent {
	return &app.ChannelEvent{ChannelID: channelID, Type: typ, Data: mustJSON(data)}
}

// nullable is the spec's "string or null".
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// The data objects of the spec, field for field.

type messageData struct {
	ChannelID string  `json:"channel_id"`
	MessageID string  `json:"message_id"`
	UserID    string  `json:"user_id"`
	Username  *string `json:"username"`
	Content   string  `json:"content"`
}

type replyData struct {
	ChannelID       string  `json:"channel_id"`
	MessageID       string  `json:"message_id"`
	ParentMessageID string  `json:"parent_message_id"`
	UserID          string  `json:"user_id"`
	Username        *string `json:"username"`
	Content         string  `json:"content"`
}

type messageUpdatedData struct {
	ChannelID string `json:"channel_id"`
	MessageID string `json:"message_id"`
	Content   string `json:"content"`
}

type messageDeletedData struct {
	ChannelID string `json:"channel_id"`
	MessageID string `json:"message_id"`
}

// memberData is member_joined and member_left.
type memberData struct {
	ChannelID string  `json:"channel_id"`
	UserID    string  `json:"user_id"`
	Username  *string `json:"username"`
}

type roleData struct {
	ChannelID string  `json:"channel_id"`
	UserID    string  `json:"user_id"`
	Username  *string `json:"username"`
	NewRole   string  `json:"new_role"`
}

// banData is user_banned and user_unbanned. UserID is left out on the
// user's own stream, as the spec says.
type banData struct {
	ChannelID string `json:"channel_id"`
	UserID    string `json:"user_id,omitempty"`
	Motive    string `json:"motive"`
}

// kickData is user_kicked; UserID as in banData.
type kickData struct {
	ChannelID string `json:"channel_id"`
	UserID    string `json:"user_id,omitempty"`
}

type channelCreatedData struct {
	ChannelID   string `json:"channel_id"`
	ChannelName string `json:"channel_name"`
}

// channelUpdatedData carries the fields that changed, and only those.
type channelUpdatedData struct {
	ChannelID   string  `json:"channel_id"`
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

type channelDeletedData struct {
	ChannelID string `json:"channel_id"`
}

type typingData struct {
	ChannelID string `json:"channel_id"`
	UserID    string `json:"user_id"`
	Username  string `json:"username"`
	IsTyping  bool   `json:"is_typing"`
}
