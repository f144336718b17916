package channels

import (
	"context"
	"strings"

	"github.com/belfry/belfry/app"
)

// roleOf is m's role, "" for a non-member.
func roleOf(m *app.Member) app.Role {
	if m == nil {
		return ""
	}
	return m.Role
}

// allow is the store check of an action without a target.
func allow(action app.ChannelAction) app.ChannelCheck {
	return func(actor, _ *app.Member) error {
		return app.AuthorizeChannelAction(roleOf(actor), action, "")
	}
}

// trimmed returns a copy of *p without surrounding spaces, or nil.
func trimmed(p *string) *string {
	if p == nil {
		return nil
	}
	s := strings.TrimSpace(*p)
	return &s
}

// CreateChannel creates a channel owned by actor and announces it on the
// global stream. Errors: EINVALID, ECONFLICT for a taken name.
func (s *Service) CreateChannel(ctx context.Context, actor *app.User, name, description string) (*app.Channel, error) {
	ch := &app.Channel{Name: strings.TrimSpace(name), Description: description, CreatedBy: actor.ID}
	if err := ch.Validate(); err != nil {
		return nil, err
	}
	if err := s.store.CreateChannel(ctx, ch); err != nil {
		return nil, err
	}
	s.sendGlobal(EventChannelCreated, ch.CreatedAt, channelCreatedData{ChannelID: ch.ID, ChannelName: ch.Name})
	return ch, nil
}

// roleIn returns userID's role in the channel, "" when not a member or
// when it cannot be read (it only decorates an answer).
func (s *Service) roleIn(ctx context.Context, channelID, userID string) app.Role {
	m, err := s.store.FindMember(ctx, channelID, userID)
	if err != nil {
		return ""
	}
	return m.Role
}

// Channel returns the channel id and actor's role in it ("" when not a
// member). Any user may look at any channel. Errors: ENOTFOUND.
func (s *Service) Channel(ctx context.Context, actor *app.User, id string) (*app.Channel, app.Role, error) {
	ch, err := s.store.FindChannel(ctx, id)
	if err != nil {
		return nil, "", err
	}
	m, err := s.store.FindMember(ctx, id, actor.ID)
	if err != nil && app.ErrorKind(err) != app.ENOTFOUND {
		return nil, "", err
	}
	return ch, roleOf(m), nil
}

// ListChannels returns every channel by name and actor's role in those they
// belong to.
func (s *Service) ListChannels(ctx context.Context, actor *app.User) ([]*app.Channel, map[string]app.Role, error) {
	chs, err := s.store.ListChannels(ctx)
	if err != nil {
		return nil, nil, err
	}
	roles, err := s.store.MemberRoles(ctx, actor.ID)
	if err != nil {
		return nil, nil, err
	}
	return chs, roles, nil
}

// UpdateChannel changes the channel's name or description (owners and
// admins) and publishes channel_updated with the fields that changed. An
// update that changes nothing publishes nothing. Errors: EINVALID,
// ENOTFOUND, EFORBIDDEN, ECONFLICT for a taken name.
func (s *Service) UpdateChannel(ctx context.Context, actor *app.User, id string, upd app.ChannelUpdate) (*app.Channel, error) {
	upd.Name = trimmed(upd.Name)
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	cur, err := s.store.FindChannel(ctx, id)
	if err != nil {
		return nil, err
	}
	if upd.Name != nil && *upd.Name == cur.Name {
		upd.Name = nil
	}
	if upd.Description != nil && *upd.Description == cur.Description {
		upd.Description = nil
	}
	if upd.Name == nil && upd.Description == nil {
		// Nothing to change, but a caller without the right still learns
		// that they lack it.
		m, err := s.store.FindMember(ctx, id, actor.ID)
		if err != nil && app.ErrorKind(err) != app.ENOTFOUND {
			return nil, err
		}
		if err := app.AuthorizeChannelAction(roleOf(m), app.ActionUpdateChannel, ""); err != nil {
			return nil, err
		}
		return cur, nil
	}
	ev := newEvent(id, EventChannelUpdated, channelUpdatedData{ChannelID: id, Name: upd.Name, Description: upd.Description})
	var out *app.Channel
	err = s.commit(ctx, id, ev, func() error {
		var err error
		out, err = s.store.UpdateChannel(ctx, id, upd, app.ChannelWrite{ActorID: actor.ID, Check: allow(app.ActionUpdateChannel), Event: ev})
		return err
	}, nil)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteChannel deletes the channel (owners), publishes channel_deleted and
// then unsubscribes every socket from it. Errors: ENOTFOUND, EFORBIDDEN.
func (s *Service) DeleteChannel(ctx context.Context, actor *app.User, id string) error {
	ev := newEvent(id, EventChannelDeleted, channelDeletedData{ChannelID: id})
	return s.commit(ctx, id, ev, func() error {
		return s.store.DeleteChannel(ctx, id, app.ChannelWrite{ActorID: actor.ID, Check: allow(app.ActionDeleteChannel), Event: ev})
	}, func(st *stream) {
		st.finish()
		s.unsubscribeAll(ChannelStream(id), reasonDeleted)
		s.typing.clearChannel(id)
	})
}
