package app

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

var everyRole = []Role{"", RoleMember, RoleModerator, RoleAdmin, RoleOwner}

// roleName prints "" as "none" in subtest names.
func roleName(r Role) string {
	if r == "" {
		return "none"
	}
	return string(r)
}

// TestChannelRoleRules walks the whole table: every actor role (none = not
// a member) × every action × every target role. allowed lists, per action
// and actor, the target roles the actor may act on; actions without a
// target are checked with target none.
func TestChannelRoleRules(t *testing.T) {
	none := Role("")
	noTarget := []Role{none}
	allowed := map[ChannelAction]map[Role][]Role{
		ActionPostMessage:   {RoleMember: noTarget, RoleModerator: noTarget, RoleAdmin: noTarget, RoleOwner: noTarget},
		ActionUpdateChannel: {RoleAdmin: noTarget, RoleOwner: noTarget},
		ActionDeleteChannel: {RoleOwner: noTarget},
		ActionUnban:         {RoleModerator: noTarget, RoleAdmin: noTarget, RoleOwner: noTarget},
		ActionDeleteMessage: {RoleModerator: noTarget, RoleAdmin: noTarget, RoleOwner: noTarget},
		ActionKick: {
			RoleModerator: {none, RoleMember},
			RoleAdmin:     {none, RoleMember, RoleModerator},
			RoleOwner:     {none, RoleMember, RoleModerator, RoleAdmin},
		},
		ActionBan: {
			RoleModerator: {none, RoleMember},
			RoleAdmin:     {none, RoleMember, RoleModerator},
			RoleOwner:     {none, RoleMember, RoleModerator, RoleAdmin},
		},
		ActionChangeRole: {
			RoleAdmin: {none, RoleMember, RoleModerator},
			RoleOwner: {none, RoleMember, RoleModerator, RoleAdmin, RoleOwner},
		},
	}
	withTarget := map[ChannelAction]bool{ActionKick: true, ActionBan: true, ActionChangeRole: true}
	for action, byActor := range allowed {
		targets := []Role{none}
		if withTarget[action] {
			targets = everyRole
		}
		for _, actor := range everyRole {
			for _, target := range targets {
				name := fmt.Sprintf("%s/%s/%s", action, roleName(actor), roleName(target))
				t.Run(name, func(t *testing.T) {
					err := AuthorizeChannelAction(actor, action, target)
					want := slices.Contains(byActor[actor], target)
					if want && err != nil {
						t.Fatalf("refused: %v", err)
					}
					if !want {
						if ErrorKind(err) != EFORBIDDEN || ErrorMessage(err) == "" {
							t.Fatalf("got %v, want EFORBIDDEN", err)
						}
					}
				})
			}
		}
	}
	if len(allowed) != len(channelRules) {
		t.Fatalf("the test covers %d actions, the rules have %d", len(allowed), len(channelRules))
	}
}

func TestChannelRoleRules_Messages(t *testing.T) {
	for _, tc := range []struct {
		actor, target Role
		action        ChannelAction
		want          string
	}{
		{"", "", ActionPostMessage, "You are not a member of this channel."},
		{RoleMember, "", ActionDeleteChannel, "Only owners may delete the channel; you are a member."},
		{RoleModerator, "", ActionUpdateChannel, "Only owners and admins may change the channel's settings; you are a moderator."},
		{RoleMember, RoleMember, ActionKick, "Only owners, admins and moderators may kick members; you are a member."},
		{RoleModerator, RoleModerator, ActionBan, "You may not ban someone whose role (moderator) is not below yours (moderator)."},
		{RoleAdmin, RoleOwner, ActionChangeRole, "You may not change the role of someone whose role (owner) is not below yours (admin)."},
	} {
		if got := ErrorMessage(AuthorizeChannelAction(tc.actor, tc.action, tc.target)); got != tc.want {
			t.Errorf("%s %s %s: %q, want %q", roleName(tc.actor), tc.action, roleName(tc.target), got, tc.want)
		}
	}
	if err := AuthorizeChannelAction(RoleOwner, "fly", ""); ErrorKind(err) != EFORBIDDEN {
		t.Fatalf("unknown action: %v", err)
	}
}

func TestChannelRoleChange(t *testing.T) {
	for _, tc := range []struct {
		actor, target, newRole Role
		kind                   string // "" allowed
	}{
		{RoleOwner, RoleMember, RoleOwner, ""}, // hand over
		{RoleOwner, RoleOwner, RoleMember, ""}, // demote a co-owner (the store guards the last one)
		{RoleOwner, RoleAdmin, RoleModerator, ""},
		{RoleAdmin, RoleMember, RoleModerator, ""},
		{RoleAdmin, RoleModerator, RoleMember, ""},
		{RoleAdmin, RoleMember, RoleAdmin, EFORBIDDEN}, // only owners make admins
		{RoleAdmin, RoleMember, RoleOwner, EFORBIDDEN}, // or owners
		{RoleAdmin, RoleAdmin, RoleMember, EFORBIDDEN}, // not on an equal
		{RoleAdmin, RoleOwner, RoleMember, EFORBIDDEN}, // nor a higher role
		{RoleModerator, RoleMember, RoleMember, EFORBIDDEN},
		{RoleMember, RoleMember, RoleModerator, EFORBIDDEN},
		{"", RoleMember, RoleModerator, EFORBIDDEN},
		{RoleOwner, RoleMember, "king", EINVALID},
		{RoleOwner, RoleMember, "", EINVALID},
	} {
		err := AuthorizeRoleChange(tc.actor, tc.target, tc.newRole)
		if ErrorKind(err) != tc.kind {
			t.Errorf("%s sets %s → %q: %v, want kind %q", roleName(tc.actor), roleName(tc.target), tc.newRole, err, tc.kind)
		}
	}
}

func TestChannelRole(t *testing.T) {
	if !RoleOwner.Outranks(RoleAdmin) || !RoleAdmin.Outranks(RoleModerator) || !RoleModerator.Outranks(RoleMember) ||
		!RoleMember.Outranks("") || RoleMember.Outranks(RoleMember) || RoleMember.Outranks(RoleOwner) {
		t.Fatal("role order is wrong")
	}
	for _, r := range []Role{"", "Owner", "root"} {
		if r.Valid() {
			t.Errorf("%q is valid", r)
		}
	}
}

func TestChannel_Validate(t *testing.T) {
	for _, tc := range []struct {
		name, desc string
		ok         bool
	}{
		{"general", "", true},
		{"x", strings.Repeat("d", MaxChannelDescription), true},
		{strings.Repeat("é", MaxChannelName), "", true}, // characters, not bytes
		{strings.Repeat("🔔", MaxChannelName), "", true},
		{"Ops & Alerts", "where the pager lives", true},
		{"", "", false},
		{"   ", "", false},
		{" padded", "", false},
		{"padded ", "", false},
		{"tab\there", "", false},
		{"new\nline", "", false},
		{strings.Repeat("n", MaxChannelName+1), "", false},
		{"general", strings.Repeat("d", MaxChannelDescription+1), false},
	} {
		err := (&Channel{Name: tc.name, Description: tc.desc}).Validate()
		if tc.ok != (err == nil) || (err != nil && ErrorKind(err) != EINVALID) {
			t.Errorf("name %q (%d) desc %d: %v", tc.name, len(tc.name), len(tc.desc), err)
		}
	}
}

func TestChannelUpdate_Validate(t *testing.T) {
	ok, empty, long := "renamed", "", strings.Repeat("d", MaxChannelDescription+1)
	for _, tc := range []struct {
		upd   ChannelUpdate
		valid bool
	}{
		{ChannelUpdate{}, true},
		{ChannelUpdate{Name: &ok}, true},
		{ChannelUpdate{Description: &empty}, true},
		{ChannelUpdate{Name: &empty}, false},
		{ChannelUpdate{Description: &long}, false},
	} {
		if err := tc.upd.Validate(); tc.valid != (err == nil) {
			t.Errorf("%+v: %v", tc.upd, err)
		}
	}
}

func TestChannelMessageContent(t *testing.T) {
	for _, tc := range []struct {
		content string
		ok      bool
	}{
		{"hi", true},
		{strings.Repeat("ü", MaxMessageContent), true},
		{"", false},
		{" \n\t", false},
		{strings.Repeat("a", MaxMessageContent+1), false},
	} {
		if err := ValidateMessageContent(tc.content); tc.ok != (err == nil) || (err != nil && ErrorKind(err) != EINVALID) {
			t.Errorf("%d chars: %v", len(tc.content), err)
		}
	}
}

func TestChannelMotive(t *testing.T) {
	for _, tc := range []struct {
		motive   string
		required bool
		ok       bool
	}{
		{"spam", true, true},
		{"", false, true},
		{strings.Repeat("m", MaxMotive), true, true},
		{"", true, false},
		{"  ", true, false},
		{strings.Repeat("m", MaxMotive+1), false, false},
	} {
		if err := ValidateMotive(tc.motive, tc.required); tc.ok != (err == nil) {
			t.Errorf("%q required=%v: %v", tc.motive, tc.required, err)
		}
	}
}
