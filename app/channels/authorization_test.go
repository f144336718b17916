package channels

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/belfry/belfry/app"
)

// scene is a fresh channel with an owner, an actor of a given role ("" for
// an outsider) and a target member of a given role, with a message of the
// target's.
type scene struct {
	id                   string
	owner, actor, target *person
	targetMsg            string
}

func (s *server) scene(n int, actorRole, targetRole app.Role) scene {
	s.t.Helper()
	owner := s.user(fmt.Sprint("owner", n))
	sc := scene{owner: owner, actor: s.user(fmt.Sprint("actor", n)), target: s.user(fmt.Sprint("target", n))}
	sc.id = s.createChannel(owner, fmt.Sprint("scene", n))
	if actorRole != "" {
		s.join(sc.actor, sc.id)
		if actorRole != app.RoleMember {
			s.setRole(owner, sc.actor, sc.id, actorRole)
		}
	}
	s.join(sc.target, sc.id)
	sc.targetMsg = s.post(sc.target, sc.id, "target's message")
	if targetRole != app.RoleMember {
		s.setRole(owner, sc.target, sc.id, targetRole)
	}
	return sc
}

var actorRoles = []app.Role{app.RoleOwner, app.RoleAdmin, app.RoleModerator, app.RoleMember, ""}

// restActions are the actions of the authorisation table, each done by
// sc.actor over REST against a member target; ok is its success status.
var restActions = []struct {
	name    string
	allowed []app.Role
	do      func(s *server, sc scene) response
	ok      int
}{
	{"post", []app.Role{app.RoleOwner, app.RoleAdmin, app.RoleModerator, app.RoleMember}, func(s *server, sc scene) response {
		return s.do("POST", "/api/channels/"+sc.id+"/messages", sc.actor.token, `{"content":"hi"}`)
	}, http.StatusCreated},
	{"read", []app.Role{app.RoleOwner, app.RoleAdmin, app.RoleModerator, app.RoleMember}, func(s *server, sc scene) response {
		return s.do("GET", "/api/channels/"+sc.id+"/messages", sc.actor.token, "")
	}, http.StatusOK},
	{"update", []app.Role{app.RoleOwner, app.RoleAdmin}, func(s *server, sc scene) response {
		return s.do("PATCH", "/api/channels/"+sc.id, sc.actor.token, `{"description":"changed"}`)
	}, http.StatusOK},
	{"delete", []app.Role{app.RoleOwner}, func(s *server, sc scene) response {
		return s.do("DELETE", "/api/channels/"+sc.id, sc.actor.token, "")
	}, http.StatusOK},
	{"set_role", []app.Role{app.RoleOwner, app.RoleAdmin}, func(s *server, sc scene) response {
		return s.do("PUT", "/api/channels/"+sc.id+"/members/"+sc.target.ID+"/role", sc.actor.token, `{"role":"moderator"}`)
	}, http.StatusOK},
	{"kick", []app.Role{app.RoleOwner, app.RoleAdmin, app.RoleModerator}, func(s *server, sc scene) response {
		return s.do("POST", "/api/channels/"+sc.id+"/kick", sc.actor.token, `{"user_id":"`+sc.target.ID+`"}`)
	}, http.StatusOK},
	{"ban", []app.Role{app.RoleOwner, app.RoleAdmin, app.RoleModerator}, func(s *server, sc scene) response {
		return s.do("POST", "/api/channels/"+sc.id+"/bans", sc.actor.token, `{"user_id":"`+sc.target.ID+`","motive":"x"}`)
	}, http.StatusCreated},
	{"unban", []app.Role{app.RoleOwner, app.RoleAdmin, app.RoleModerator}, func(s *server, sc scene) response {
		outsider := s.user("banned-" + sc.id)
		if r := s.do("POST", "/api/channels/"+sc.id+"/bans", sc.owner.token, `{"user_id":"`+outsider.ID+`","motive":"x"}`); r.status != http.StatusCreated {
			return r
		}
		return s.do("DELETE", "/api/channels/"+sc.id+"/bans/"+outsider.ID, sc.actor.token, "")
	}, http.StatusOK},
	{"delete_message", []app.Role{app.RoleOwner, app.RoleAdmin, app.RoleModerator}, func(s *server, sc scene) response {
		return s.do("DELETE", "/api/channels/"+sc.id+"/messages/"+sc.targetMsg, sc.actor.token, "")
	}, http.StatusOK},
	{"edit_message", nil, func(s *server, sc scene) response { // the author's alone
		return s.do("PATCH", "/api/channels/"+sc.id+"/messages/"+sc.targetMsg, sc.actor.token, `{"content":"edited"}`)
	}, http.StatusOK},
}

// TestAuthorization walks actor role × action over REST, each case on a
// fresh channel: allowed actions succeed, the others are 403 FORBIDDEN and
// change nothing.
func TestChannelAuthorization(t *testing.T) {
	s := newServer(t)
	n := 0
	for _, action := range restActions {
		for _, role := range actorRoles {
			n++
			name := string(role)
			if name == "" {
				name = "outsider"
			}
			t.Run(action.name+"/"+name, func(t *testing.T) {
				sc := s.scene(n, role, app.RoleMember)
				var before struct {
					LastSeq int64 `json:"last_seq"`
				}
				s.do("GET", "/api/channels/"+sc.id, sc.owner.token, "").ok(t, http.StatusOK, &before)
				r := action.do(s, sc)
				if slices.Contains(action.allowed, role) {
					r.ok(t, action.ok, nil)
					return
				}
				r.wantError(t, http.StatusForbidden, "FORBIDDEN")
				var after struct {
					LastSeq int64 `json:"last_seq"`
				}
				s.do("GET", "/api/channels/"+sc.id, sc.owner.token, "").ok(t, http.StatusOK, &after)
				if after.LastSeq != before.LastSeq+boolInt(action.name == "unban") { // unban's setup bans first
					t.Fatalf("a refused action changed the channel: seq %d → %d", before.LastSeq, after.LastSeq)
				}
			})
		}
	}
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// TestAuthorization_Targets walks actor role × target role for kick and
// ban: only a higher role may act, never on an equal or a higher one.
func TestChannelAuthorization_Targets(t *testing.T) {
	s := newServer(t)
	members := []app.Role{app.RoleOwner, app.RoleAdmin, app.RoleModerator, app.RoleMember}
	n := 1000
	for _, action := range []string{"kick", "ban"} {
		for _, actor := range members {
			for _, target := range members {
				n++
				t.Run(fmt.Sprintf("%s/%s/%s", action, actor, target), func(t *testing.T) {
					sc := s.scene(n, actor, target)
					var r response
					if action == "kick" {
						r = s.do("POST", "/api/channels/"+sc.id+"/kick", sc.actor.token, `{"user_id":"`+sc.target.ID+`"}`)
					} else {
						r = s.do("POST", "/api/channels/"+sc.id+"/bans", sc.actor.token, `{"user_id":"`+sc.target.ID+`","motive":"x"}`)
					}
					if actor.Outranks(target) && actor != app.RoleMember {
						if r.status/100 != 2 {
							t.Fatalf("refused: %d %s", r.status, r.body)
						}
						return
					}
					r.wantError(t, http.StatusForbidden, "FORBIDDEN")
				})
			}
		}
	}
}

// TestAuthorization_RoleChanges checks who may grant which role over REST.
func TestChannelAuthorization_RoleChanges(t *testing.T) {
	s := newServer(t)
	for i, tc := range []struct {
		actor, target, newRole app.Role
		status                 int
	}{
		{app.RoleOwner, app.RoleMember, app.RoleOwner, 200},
		{app.RoleOwner, app.RoleAdmin, app.RoleMember, 200},
		{app.RoleAdmin, app.RoleMember, app.RoleModerator, 200},
		{app.RoleAdmin, app.RoleModerator, app.RoleMember, 200},
		{app.RoleAdmin, app.RoleMember, app.RoleAdmin, 403},
		{app.RoleAdmin, app.RoleAdmin, app.RoleMember, 403},
		{app.RoleModerator, app.RoleMember, app.RoleModerator, 403},
	} {
		t.Run(fmt.Sprintf("%s/%s/%s", tc.actor, tc.target, tc.newRole), func(t *testing.T) {
			sc := s.scene(2000+i, tc.actor, tc.target)
			r := s.do("PUT", "/api/channels/"+sc.id+"/members/"+sc.target.ID+"/role", sc.actor.token, `{"role":"`+string(tc.newRole)+`"}`)
			if tc.status == 200 {
				var m map[string]any
				r.ok(t, 200, &m)
				if m["role"] != string(tc.newRole) || m["user_id"] != sc.target.ID {
					t.Fatalf("member %v", m)
				}
				return
			}
			r.wantError(t, tc.status, "FORBIDDEN")
		})
	}
}
