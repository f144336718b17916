package channels

import (
	"context"

	"github.com/belfry/belfry/app"
)

// Members returns the channel's members, owners first. Any user may list
// them. Errors: ENOTFOUND.
func (s *Service) Members(ctx context.Context, id string) ([]*app.Member, error) {
	if _, err := s.store.FindChannel(ctx, id); err != nil {
		return nil, err
	}
	return s.store.ListMembers(ctx, id)
}

// member returns userID's membership; for a non-member it tells an unknown
// channel ("Channel not found.") from a user who is not in it.
func (s *Service) member(ctx context.Context, channelID, userID string) (*app.Member, error) {
	m, err := s.store.FindMember(ctx, channelID, userID)
	if app.ErrorKind(err) == app.ENOTFOUND {
		if _, cerr := s.store.FindChannel(ctx, channelID); cerr != nil {
			return nil, cerr
		}
	}
	return m, err
}

// Join makes actor a member and publishes member_joined. Errors: ENOTFOUND,
// EFORBIDDEN for a banned user, ECONFLICT for a member.
func (s *Service) Join(ctx context.Context, actor *app.User, id string) (*app.Member, error) {
	m := &app.Member{ChannelID: id, UserID: actor.ID, Username: actor.Username, Role: app.RoleMember}
	ev := newEvent(id, EventMemberJoined, memberData{ChannelID: id, UserID: actor.ID, Username: nullable(actor.Username)})
	err := s.commit(ctx, id, ev, func() error {
		return s.store.AddMember(ctx, m, app.ChannelWrite{ActorID: actor.ID, Event: ev})
	}, nil)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Leave ends actor's membership, publishes member_left and unsubscribes
// actor's sockets from the channel. Errors: ENOTFOUND (also for a
// non-member), ECONFLICT for the last owner.
func (s *Service) Leave(ctx context.Context, actor *app.User, id string) error {
	ev := newEvent(id, EventMemberLeft, memberData{ChannelID: id, UserID: actor.ID, Username: nullable(actor.Username)})
	check := func(a, _ *app.Member) error {
		if a == nil {
			return app.Errorf(app.ENOTFOUND, "You are not a member of this channel.")
		}
		return nil
	}
	return s.commit(ctx, id, ev, func() error {
		return s.store.RemoveMember(ctx, id, actor.ID, app.ChannelWrite{ActorID: actor.ID, Check: check, Event: ev})
	}, func(*stream) {
		s.unsubscribeUser(actor.ID, ChannelStream(id), reasonLeft)
		s.typing.clear(id, actor.ID)
	})
}

// SetRole gives userID the role (owners, and admins below themselves; see
// app.AuthorizeRoleChange) and publishes member_role_updated. Setting the
// current role publishes nothing. Errors: EINVALID, ENOTFOUND, EFORBIDDEN,
// ECONFLICT for demoting the last owner.
func (s *Service) SetRole(ctx context.Context, actor *app.User, id, userID string, role app.Role) (*app.Member, error) {
	if !role.Valid() {
		return nil, app.Errorf(app.EINVALID, "Role must be owner, admin, moderator or member, not %q.", role)
	}
	target, err := s.member(ctx, id, userID)
	if err != nil {
		return nil, err
	}
	ev := newEvent(id, EventMemberRoleUpdated, roleData{ChannelID: id, UserID: userID, Username: nullable(target.Username), NewRole: string(role)})
	check := func(a, t *app.Member) error {
		if t == nil {
			return app.Errorf(app.ENOTFOUND, "User is not a member of this channel.")
		}
		return app.AuthorizeRoleChange(roleOf(a), t.Role, role)
	}
	var out *app.Member
	err = s.commit(ctx, id, ev, func() error {
		var err error
		out, err = s.store.SetMemberRole(ctx, id, userID, role, app.ChannelWrite{ActorID: actor.ID, Check: check, Event: ev})
		return err
	}, nil)
	if err != nil {
		return nil, err
	}
	return out, nil
}
