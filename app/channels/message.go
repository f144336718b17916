package channels

import (
	"context"

	"github.com/belfry/belfry/app"
	"github.com/google/uuid"
)

// History page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
)

// Post stores a message of actor (a member) and publishes channel_message,
// or message_reply when parentID names the message it answers, which must
// be in the same channel. Posting ends actor's typing indicator. Errors:
// EINVALID, ENOTFOUND, EFORBIDDEN for a non-member (banned users are not
// members).
func (s *Service) Post(ctx context.Context, actor *app.User, id, content, parentID string) (*app.Message, error) {
	if err := app.ValidateMessageContent(content); err != nil {
		return nil, err
	}
	mid, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	m := &app.Message{ID: mid.String(), ChannelID: id, UserID: actor.ID, Username: actor.Username,
		ParentMessageID: parentID, Content: content}
	var ev *app.ChannelEvent
	if parentID == "" {
		ev = newEvent(id, EventChannelMessage, messageData{ChannelID: id, MessageID: m.ID, UserID: actor.ID,
			Username: nullable(actor.Username), Content: content})
	} else {
		ev = newEvent(id, EventMessageReply, replyData{ChannelID: id, MessageID: m.ID, ParentMessageID: parentID,
			UserID: actor.ID, Username: nullable(actor.Username), Content: content})
	}
	ev.MessageID = m.ID
	err = s.commit(ctx, id, ev, func() error {
		return s.store.CreateMessage(ctx, m, app.ChannelWrite{ActorID: actor.ID, Check: allow(app.ActionPostMessage), Event: ev})
	}, func(*stream) {
		s.typing.clear(id, actor.ID)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// EditMessage replaces the content of the message (its author only, while a
// member) and publishes message_updated. Errors: EINVALID, ENOTFOUND,
// EFORBIDDEN.
func (s *Service) EditMessage(ctx context.Context, actor *app.User, id, messageID, content string) (*app.Message, error) {
	if err := app.ValidateMessageContent(content); err != nil {
		return nil, err
	}
	msg, err := s.message(ctx, id, messageID)
	if err != nil {
		return nil, err
	}
	check := func(a, _ *app.Member) error {
		if a == nil {
			return app.Errorf(app.EFORBIDDEN, "You are not a member of this channel.")
		}
		if msg.UserID != a.UserID {
			return app.Errorf(app.EFORBIDDEN, "Only the author may edit a message.")
		}
		return nil
	}
	ev := newEvent(id, EventMessageUpdated, messageUpdatedData{ChannelID: id, MessageID: messageID, Content: content})
	ev.MessageID = messageID
	var out *app.Message
	err = s.commit(ctx, id, ev, func() error {
		var err error
		out, err = s.store.UpdateMessage(ctx, id, messageID, content, app.ChannelWrite{ActorID: actor.ID, Check: check, Event: ev})
		return err
	}, nil)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteMessage deletes the message (its author, or a moderator and above)
// and publishes message_deleted. Errors: ENOTFOUND, EFORBIDDEN.
func (s *Service) DeleteMessage(ctx context.Context, actor *app.User, id, messageID string) error {
	msg, err := s.message(ctx, id, messageID)
	if err != nil {
		return err
	}
	check := func(a, _ *app.Member) error {
		if a != nil && msg.UserID == a.UserID {
			return nil
		}
		return app.AuthorizeChannelAction(roleOf(a), app.ActionDeleteMessage, "")
	}
	ev := newEvent(id, EventMessageDeleted, messageDeletedData{ChannelID: id, MessageID: messageID})
	ev.MessageID = messageID
	return s.commit(ctx, id, ev, func() error {
		return s.store.DeleteMessage(ctx, id, messageID, app.ChannelWrite{ActorID: actor.ID, Check: check, Event: ev})
	}, nil)
}

// message finds a message, telling an unknown channel from an unknown
// message.
func (s *Service) message(ctx context.Context, channelID, messageID string) (*app.Message, error) {
	msg, err := s.store.FindMessage(ctx, channelID, messageID)
	if app.ErrorKind(err) == app.ENOTFOUND {
		if _, cerr := s.store.FindChannel(ctx, channelID); cerr != nil {
			return nil, cerr
		}
	}
	return msg, err
}

// Messages returns up to limit messages posted before the one numbered
// beforeSeq (0: the newest), newest first, and whether older ones exist.
// Only members may read them. Errors: EINVALID for a limit outside
// 1..MaxPageSize, ENOTFOUND, EFORBIDDEN.
func (s *Service) Messages(ctx context.Context, actor *app.User, id string, beforeSeq int64, limit int) ([]*app.Message, bool, error) {
	if limit < 1 || limit > MaxPageSize {
		return nil, false, app.Errorf(app.EINVALID, "Parameter limit must be between 1 and %d.", MaxPageSize)
	}
	if _, err := s.store.FindChannel(ctx, id); err != nil {
		return nil, false, err
	}
	if _, err := s.store.FindMember(ctx, id, actor.ID); err != nil {
		if app.ErrorKind(err) == app.ENOTFOUND {
			return nil, false, app.Errorf(app.EFORBIDDEN, "Only members may read a channel's messages: join it first.")
		}
		return nil, false, err
	}
	msgs, err := s.store.ListMessages(ctx, id, beforeSeq, limit+1)
	if err != nil {
		return nil, false, err
	}
	if len(msgs) > limit {
		return msgs[:limit], true, nil
	}
	return msgs, false, nil
}
