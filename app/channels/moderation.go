package channels

import (
	"context"

	"github.com/belfry/belfry/app"
)

// Moderation events go to the channel's stream with user_id and to the
// user's own stream without it (spec §6); afterwards the user's sockets are
// unsubscribed from the channel, once the event is queued to them.

// Kick removes userID from the channel (moderators and above, on members
// below them), publishes user_kicked and unsubscribes the user's sockets.
// A kicked user may join again. Errors: ENOTFOUND, EFORBIDDEN.
func (s *Service) Kick(ctx context.Context, actor *app.User, id, userID string) error {
	if _, err := s.member(ctx, id, userID); err != nil {
		return err
	}
	ev := newEvent(id, EventUserKicked, kickData{ChannelID: id, UserID: userID})
	check := func(a, t *app.Member) error {
		if t == nil {
			return app.Errorf(app.ENOTFOUND, "User is not a member of this channel.")
		}
		return app.AuthorizeChannelAction(roleOf(a), app.ActionKick, t.Role)
	}
	return s.commit(ctx, id, ev, func() error {
		return s.store.RemoveMember(ctx, id, userID, app.ChannelWrite{ActorID: actor.ID, Check: check, Event: ev})
	}, func(*stream) {
		s.sendUser(userID, EventUserKicked, ev.CreatedAt, kickData{ChannelID: id})
		s.unsubscribeUser(userID, ChannelStream(id), reasonKicked)
		s.typing.clear(id, userID)
	})
}

// Ban bans userID from the channel with a motive (moderators and above, on
// anyone below them, member or not), ends their membership, publishes
// user_banned and unsubscribes the user's sockets. Errors: EINVALID,
// ENOTFOUND, EFORBIDDEN, ECONFLICT when already banned.
func (s *Service) Ban(ctx context.Context, actor *app.User, id, userID, motive string) (*app.Ban, error) {
	if err := app.ValidateMotive(motive, true); err != nil {
		return nil, err
	}
	if _, err := s.store.FindChannel(ctx, id); err != nil {
		return nil, err
	}
	if _, err := s.d.Users.FindUserByID(ctx, userID); err != nil {
		return nil, err
	}
	b := &app.Ban{ChannelID: id, UserID: userID, BannedBy: actor.ID, Motive: motive}
	ev := newEvent(id, EventUserBanned, banData{ChannelID: id, UserID: userID, Motive: motive})
	check := func(a, t *app.Member) error {
		return app.AuthorizeChannelAction(roleOf(a), app.ActionBan, roleOf(t))
	}
	err := s.commit(ctx, id, ev, func() error {
		return s.store.BanUser(ctx, b, app.ChannelWrite{ActorID: actor.ID, Check: check, Event: ev})
	}, func(*stream) {
		s.sendUser(userID, EventUserBanned, ev.CreatedAt, banData{ChannelID: id, Motive: motive})
		s.unsubscribeUser(userID, ChannelStream(id), reasonBanned)
		s.typing.clear(id, userID)
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Unban lifts userID's ban (moderators and above) and publishes
// user_unbanned; motive is optional. Errors: EINVALID, ENOTFOUND (also when
// the user is not banned), EFORBIDDEN.
func (s *Service) Unban(ctx context.Context, actor *app.User, id, userID, motive string) error {
	if err := app.ValidateMotive(motive, false); err != nil {
		return err
	}
	ev := newEvent(id, EventUserUnbanned, banData{ChannelID: id, UserID: userID, Motive: motive})
	return s.commit(ctx, id, ev, func() error {
		return s.store.UnbanUser(ctx, id, userID, app.ChannelWrite{ActorID: actor.ID, Check: allow(app.ActionUnban), Event: ev})
	}, func(*stream) {
		s.sendUser(userID, EventUserUnbanned, ev.CreatedAt, banData{ChannelID: id, Motive: motive})
	})
}
