package app

// Role is a member's rank in a channel: owner > admin > moderator > member.
type Role string

// Channel roles.
const (
	RoleOwner     Role = "owner"
	RoleAdmin     Role = "admin"
	RoleModerator Role = "moderator"
	RoleMember    Role = "member"
)

// roleRanks orders the roles; a missing role (not a member) ranks 0.
var roleRanks = map[Role]int{RoleMember: 1, RoleModerator: 2, RoleAdmin: 3, RoleOwner: 4}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool { return roleRanks[r] > 0 }

// Outranks reports whether r ranks strictly above other.
func (r Role) Outranks(other Role) bool { return roleRanks[r] > roleRanks[other] }

// ChannelAction is something a member does that their role must allow.
type ChannelAction string

// Channel actions subject to the role rules. Editing a message is the
// author's alone and is not a role rule.
const (
	ActionPostMessage   ChannelAction = "post_message"
	ActionUpdateChannel ChannelAction = "update_channel"
	ActionDeleteChannel ChannelAction = "delete_channel"
	ActionChangeRole    ChannelAction = "change_role"
	ActionKick          ChannelAction = "kick"
	ActionBan           ChannelAction = "ban"
	ActionUnban         ChannelAction = "unban"
	// ActionDeleteMessage is deleting another member's message; authors
	// may always delete their own.
	ActionDeleteMessage ChannelAction = "delete_message"
)

// channelRule is one row of the rules table.
type channelRule struct {
	min Role // the lowest role that may act
	// outrank: the actor's role must be above the target's. ownersMayPeer
	// relaxes it for owners acting on owners (handing over, co-owners).
	outrank       bool
	ownersMayPeer bool
	verb          string // completes "may …" in messages
}

// channelRules is the table of who may do what, by the actor's role and,
// for actions on another member, the target's.
var channelRules = map[ChannelAction]channelRule{
	ActionPostMessage:   {min: RoleMember, verb: "post messages"},
	ActionUpdateChannel: {min: RoleAdmin, verb: "change the channel's settings"},
	ActionDeleteChannel: {min: RoleOwner, verb: "delete the channel"},
	ActionChangeRole:    {min: RoleAdmin, outrank: true, ownersMayPeer: true, verb: "change roles"},
	ActionKick:          {min: RoleModerator, outrank: true, verb: "kick members"},
	ActionBan:           {min: RoleModerator, outrank: true, verb: "ban users"},
	ActionUnban:         {min: RoleModerator, verb: "lift bans"},
	ActionDeleteMessage: {min: RoleModerator, verb: "delete other members' messages"},
}

// rolesFrom names the roles at or above r, for messages.
var rolesFrom = map[Role]string{
	RoleOwner:     "owners",
	RoleAdmin:     "owners and admins",
	RoleModerator: "owners, admins and moderators",
	RoleMember:    "members",
}

// AuthorizeChannelAction decides whether a member with role actor may do
// action to a member with role target ("" when the action has no target or
// the target is not a member). actor "" means the actor is not a member.
// It returns nil or an EFORBIDDEN error that says why.
func AuthorizeChannelAction(actor Role, action ChannelAction, target Role) error {
	rule, ok := channelRules[action]
	if !ok {
		return Errorf(EFORBIDDEN, "Unknown channel action %q.", action)
	}
	if !actor.Valid() {
		return Errorf(EFORBIDDEN, "You are not a member of this channel.")
	}
	if rule.min.Outranks(actor) {
		return Errorf(EFORBIDDEN, "Only %s may %s; you are a %s.", rolesFrom[rule.min], rule.verb, actor)
	}
	if rule.outrank && !actor.Outranks(target) && !(rule.ownersMayPeer && actor == RoleOwner) {
		return Errorf(EFORBIDDEN, "You may not %s someone whose role (%s) is not below yours (%s).", targetVerb(action), target, actor)
	}
	return nil
}

// targetVerb phrases an action on one member, for messages.
func targetVerb(action ChannelAction) string {
	switch action {
	case ActionKick:
		return "kick"
	case ActionBan:
		return "ban"
	}
	return "change the role of"
}

// AuthorizeRoleChange decides whether actor may give a member whose role is
// target the role newRole. Owners may set any role, including owner (to
// hand the channel over); admins may set roles below their own on members
// below them. Errors: EINVALID for an unknown newRole, EFORBIDDEN.
func AuthorizeRoleChange(actor, target, newRole Role) error {
	if err := CheckRole(newRole); err != nil {
		return err
	}
	if err := AuthorizeChannelAction(actor, ActionChangeRole, target); err != nil {
		return err
	}
	if actor != RoleOwner && !actor.Outranks(newRole) {
		return Errorf(EFORBIDDEN, "Only owners may make a member %s.", newRole)
	}
	return nil
}

// MemberChange is a change to a member that could cost a channel its last
// owner.
type MemberChange int

// Changes that KeepAnOwner judges.
const (
	MemberLeaves  MemberChange = iota + 1 // leaves or is kicked
	MemberDemoted                         // gets a role below owner
	MemberBanned
)

// lastOwnerMessages say why the change is refused and what to do.
var lastOwnerMessages = map[MemberChange]string{
	MemberLeaves:  "The last owner cannot leave the channel: make another member owner first.",
	MemberDemoted: "The channel's last owner cannot be demoted: make another member owner first.",
	MemberBanned:  "The channel's last owner cannot be banned.",
}

// KeepAnOwner decides whether change may happen to target (nil: not a
// member) in a channel that has owners owners now: a channel never loses
// its last owner. Stores run it inside the write's transaction, with the
// count read there. The error is ECONFLICT.
func KeepAnOwner(target *Member, owners int, change MemberChange) error {
	if target == nil || target.Role != RoleOwner || owners > 1 {
		return nil
	}
	return Errorf(ECONFLICT, "%s", lastOwnerMessages[change])
}

// CheckJoin decides whether a user may join a channel, given their current
// membership (nil: none) and whether they are banned from it. Stores run it
// inside the write's transaction. Errors: ECONFLICT for a member,
// EFORBIDDEN for a banned user.
func CheckJoin(current *Member, banned bool) error {
	if current != nil {
		return Errorf(ECONFLICT, "You are already a member of this channel.")
	}
	if banned {
		return Errorf(EFORBIDDEN, "You are banned from this channel.")
	}
	return nil
}

// CheckRole refuses a role that is not one of the four. The error is
// EINVALID.
func CheckRole(r Role) error {
	if !r.Valid() {
		return Errorf(EINVALID, "Role must be owner, admin, moderator or member, not %q.", r)
	}
	return nil
}
