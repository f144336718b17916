package app

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Channels are chat-style rooms that users create, join and talk in
// (spec/channels-websocket-events.txt). Every change to a channel is an event
// of the channel's stream, numbered by a per-channel sequence so that a
// client that lost its socket can ask for what it missed.

// Limits of channel text, in characters (Unicode code points).
const (
	MaxChannelName        = 64
	MaxChannelDescription = 500
	MaxMessageContent     = 4000
	MaxMotive             = 500
)

// Channel is a chat room.
type Channel struct {
	ID          string
	Name        string
	Description string
	// CreatedBy is the creator's id, "" once their account is deleted.
	CreatedBy   string
	MemberCount int
	// LastSeq is the sequence number of the channel's latest event.
	LastSeq   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks the name and the description.
func (c *Channel) Validate() error {
	if err := ValidateChannelName(c.Name); err != nil {
		return err
	}
	return ValidateChannelDescription(c.Description)
}

// ChannelUpdate is a change of a channel's settings; nil fields stay as they
// are.
type ChannelUpdate struct {
	Name        *string
	Description *string
}

// Validate checks the fields that are set.
func (u ChannelUpdate) Validate() error {
	if u.Name != nil {
		if err := ValidateChannelName(*u.Name); err != nil {
			return err
		}
	}
	if u.Description != nil {
		return ValidateChannelDescription(*u.Description)
	}
	return nil
}

// Member is a user's membership of a channel.
type Member struct {
	ChannelID string
	UserID    string
	Username  string
	Role      Role
	JoinedAt  time.Time
}

// Ban keeps a user out of a channel: a banned user cannot join, post or
// subscribe until the ban is lifted.
type Ban struct {
	ChannelID string
	UserID    string
	// BannedBy is the moderator's id, "" once their account is deleted.
	BannedBy  string
	Motive    string
	CreatedAt time.Time
}

// Message is a message posted to a channel.
type Message struct {
	ID        string
	ChannelID string
	// UserID and Username are the author's, "" once their account is
	// deleted (the spec's username "string or null").
	UserID   string
	Username string
	// ParentMessageID is the message this one replies to, "" for none. It
	// keeps naming the parent after the parent is deleted.
	ParentMessageID string
	Content         string
	// Seq is the sequence number of the event that posted the message; it
	// orders a channel's messages.
	Seq       int64
	CreatedAt time.Time
	EditedAt  *time.Time
}

// ChannelEvent is one event of a channel's stream as it is stored for
// recovery: Data is the event's JSON data object.
type ChannelEvent struct {
	ChannelID string
	Seq       int64
	Type      string
	// MessageID names the message the event carries, "" for other events;
	// deleting the message blanks its content in the stored events.
	MessageID string
	Data      []byte
	CreatedAt time.Time
}

// ValidateChannelName returns EINVALID unless name is 1 to MaxChannelName
// characters without control characters or surrounding spaces.
func ValidateChannelName(name string) error {
	n := utf8.RuneCountInString(name)
	switch {
	case strings.TrimSpace(name) == "":
		return Errorf(EINVALID, "Channel name must not be empty.")
	case n > MaxChannelName:
		return Errorf(EINVALID, "Channel name must be at most %d characters long, not %d.", MaxChannelName, n)
	case strings.TrimSpace(name) != name:
		return Errorf(EINVALID, "Channel name must not start or end with spaces.")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return Errorf(EINVALID, "Channel name must not contain control characters.")
	}
	return nil
}

// ValidateChannelDescription returns EINVALID for a description longer than
// MaxChannelDescription characters.
func ValidateChannelDescription(d string) error {
	if n := utf8.RuneCountInString(d); n > MaxChannelDescription {
		return Errorf(EINVALID, "Channel description must be at most %d characters long, not %d.", MaxChannelDescription, n)
	}
	return nil
}

// ValidateMessageContent returns EINVALID unless content holds something
// besides spaces and is at most MaxMessageContent characters.
func ValidateMessageContent(content string) error {
	if strings.TrimSpace(content) == "" {
		return Errorf(EINVALID, "Message content must not be empty.")
	}
	if n := utf8.RuneCountInString(content); n > MaxMessageContent {
		return Errorf(EINVALID, "Message content must be at most %d characters long, not %d.", MaxMessageContent, n)
	}
	return nil
}

// ValidateMotive returns EINVALID for a motive longer than MaxMotive
// characters, or an empty one when required.
func ValidateMotive(motive string, required bool) error {
	if required && strings.TrimSpace(motive) == "" {
		return Errorf(EINVALID, "A motive is required: say why the user is banned.")
	}
	if n := utf8.RuneCountInString(motive); n > MaxMotive {
		return Errorf(EINVALID, "Motive must be at most %d characters long, not %d.", MaxMotive, n)
	}
	return nil
}

// ChannelCheck decides whether a write may go ahead, given the current
// membership of the actor and of the target (nil: not a member). Stores run
// it inside the write transaction, so the decision and the write see the
// same state; its error aborts the write.
type ChannelCheck func(actor, target *Member) error

// ChannelWrite is what every write to a channel's stream carries.
type ChannelWrite struct {
	// ActorID is the user who acts.
	ActorID string
	// Check, when set, authorises the write inside its transaction.
	Check ChannelCheck
	// Event, when set, is recorded in the same transaction with the
	// channel's next sequence number: the store fills its ChannelID, Seq
	// and CreatedAt. A write that turns out to change nothing records no
	// event and leaves Seq at 0.
	Event *ChannelEvent
}

// ChannelStore persists channels, members, bans, messages and the stored
// events of each channel's stream. Every write that takes a ChannelWrite
// runs its Check and records its Event in one transaction, so an event's
// sequence number is assigned when — and only if — its change is durable.
//
// Errors: ENOTFOUND for an unknown channel ("Channel not found."), member,
// ban or message; ECONFLICT for a taken channel name (in any letter case),
// an existing membership or ban, and a change that would leave a channel
// without an owner; EFORBIDDEN from Check, and from AddMember for a banned
// user; EINVALID for a parent message that is not in the same channel.
type ChannelStore interface {
	// CreateChannel stores ch with ch.CreatedBy as its owner, filling ID,
	// CreatedAt, UpdatedAt and MemberCount.
	CreateChannel(ctx context.Context, ch *Channel) error
	FindChannel(ctx context.Context, id string) (*Channel, error)
	// ListChannels returns every channel by name, never nil.
	ListChannels(ctx context.Context) ([]*Channel, error)
	UpdateChannel(ctx context.Context, id string, upd ChannelUpdate, w ChannelWrite) (*Channel, error)
	// DeleteChannel deletes the channel with its members, bans, messages
	// and events; w.Event gets the sequence number after the last one.
	DeleteChannel(ctx context.Context, id string, w ChannelWrite) error

	FindMember(ctx context.Context, channelID, userID string) (*Member, error)
	// ListMembers returns the channel's members by role, then join time.
	ListMembers(ctx context.Context, channelID string) ([]*Member, error)
	// MemberRoles returns the user's role in each channel they belong to.
	MemberRoles(ctx context.Context, userID string) (map[string]Role, error)
	// AddMember makes m.UserID (the actor) a member with m.Role.
	AddMember(ctx context.Context, m *Member, w ChannelWrite) error
	// RemoveMember ends userID's membership (leave, kick).
	RemoveMember(ctx context.Context, channelID, userID string, w ChannelWrite) error
	// SetMemberRole changes userID's role; setting the current role changes
	// nothing and records no event.
	SetMemberRole(ctx context.Context, channelID, userID string, role Role, w ChannelWrite) (*Member, error)

	// BanUser bans b.UserID and ends their membership, if any.
	BanUser(ctx context.Context, b *Ban, w ChannelWrite) error
	// UnbanUser lifts userID's ban.
	UnbanUser(ctx context.Context, channelID, userID string, w ChannelWrite) error
	FindBan(ctx context.Context, channelID, userID string) (*Ban, error)

	// CreateMessage stores m, filling ID (when empty), Seq and CreatedAt.
	CreateMessage(ctx context.Context, m *Message, w ChannelWrite) error
	FindMessage(ctx context.Context, channelID, id string) (*Message, error)
	// UpdateMessage replaces the content and sets EditedAt.
	UpdateMessage(ctx context.Context, channelID, id, content string, w ChannelWrite) (*Message, error)
	// DeleteMessage deletes the message and blanks its content in the
	// stored events.
	DeleteMessage(ctx context.Context, channelID, id string, w ChannelWrite) error
	// ListMessages returns up to limit messages with Seq below beforeSeq
	// (0: from the newest), newest first, never nil.
	ListMessages(ctx context.Context, channelID string, beforeSeq int64, limit int) ([]*Message, error)

	// ListChannelEvents returns up to limit stored events with Seq above
	// afterSeq, oldest first, never nil. Only the most recent events of a
	// channel are kept.
	ListChannelEvents(ctx context.Context, channelID string, afterSeq int64, limit int) ([]*ChannelEvent, error)
}
