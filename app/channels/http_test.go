package channels

import (
	"net/http"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/google/uuid"
)

// TestREST_Errors sends every kind of bad request and checks the answer: a
// clear 4xx in the JSON error envelope, never a 500.
func TestChannelREST_Errors(t *testing.T) {
	s := newServer(t)
	alice, bob, carol := s.user("alice"), s.user("bob"), s.user("carol")
	id := s.createChannel(alice, "general")
	other := s.createChannel(alice, "other")
	s.join(bob, id)
	bobMsg := s.post(bob, id, "hi")
	otherMsg := s.post(alice, other, "elsewhere")
	unknown := uuid.NewString()
	ch := "/api/channels/" + id
	publish := s.token(alice.User, app.ScopePublish)
	long := func(n int) string { return quote(strings.Repeat("x", n)) }

	for _, tc := range []struct {
		name, method, path, token, body string
		status                          int
		code                            string
	}{
		{"Anonymous", "GET", "/api/channels", "", "", 401, "UNAUTHENTICATED"},
		{"BadToken", "GET", "/api/channels", "nope", "", 401, "AUTH_INVALID_TOKEN"},
		{"PublishToken", "GET", "/api/channels", publish, "", 403, "FORBIDDEN"},

		{"CreateEmptyBody", "POST", "/api/channels", alice.token, "", 400, "INVALID_PARAMETER"},
		{"CreateNotJSON", "POST", "/api/channels", alice.token, "name=x", 400, "INVALID_PARAMETER"},
		{"CreateArray", "POST", "/api/channels", alice.token, `[]`, 400, "INVALID_PARAMETER"},
		{"CreateUnknownField", "POST", "/api/channels", alice.token, `{"name":"x","topic":"y"}`, 400, "INVALID_PARAMETER"},
		{"CreateTrailing", "POST", "/api/channels", alice.token, `{"name":"x"}{}`, 400, "INVALID_PARAMETER"},
		{"CreateNameType", "POST", "/api/channels", alice.token, `{"name":5}`, 400, "INVALID_PARAMETER"},
		{"CreateNoName", "POST", "/api/channels", alice.token, `{"description":"d"}`, 400, "INVALID_PARAMETER"},
		{"CreateBlankName", "POST", "/api/channels", alice.token, `{"name":"  "}`, 400, "INVALID_PARAMETER"},
		{"CreateLongName", "POST", "/api/channels", alice.token, `{"name":` + long(65) + `}`, 400, "INVALID_PARAMETER"},
		{"CreateLongDescription", "POST", "/api/channels", alice.token, `{"name":"x","description":` + long(501) + `}`, 400, "INVALID_PARAMETER"},
		{"CreateTaken", "POST", "/api/channels", bob.token, `{"name":"GENERAL"}`, 409, "CONFLICT"},
		{"CreateTooLarge", "POST", "/api/channels", alice.token, `{"name":` + long(70000) + `}`, 413, "PAYLOAD_TOO_LARGE"},

		{"GetBadID", "GET", "/api/channels/general", alice.token, "", 400, "INVALID_PARAMETER"},
		{"GetUnknown", "GET", "/api/channels/" + unknown, alice.token, "", 404, "NOT_FOUND"},
		{"UpdateNothing", "PATCH", ch, alice.token, `{}`, 400, "INVALID_PARAMETER"},
		{"UpdateTaken", "PATCH", ch, alice.token, `{"name":"Other"}`, 409, "CONFLICT"},
		{"UpdateLongName", "PATCH", ch, alice.token, `{"name":` + long(65) + `}`, 400, "INVALID_PARAMETER"},
		{"UpdateByMember", "PATCH", ch, bob.token, `{"name":"mine"}`, 403, "FORBIDDEN"},
		{"UpdateSameByMember", "PATCH", ch, bob.token, `{"name":"general"}`, 403, "FORBIDDEN"},
		{"UpdateUnknown", "PATCH", "/api/channels/" + unknown, alice.token, `{"name":"x"}`, 404, "NOT_FOUND"},
		{"DeleteByMember", "DELETE", ch, bob.token, "", 403, "FORBIDDEN"},
		{"DeleteUnknown", "DELETE", "/api/channels/" + unknown, alice.token, "", 404, "NOT_FOUND"},

		{"JoinTwice", "POST", ch + "/join", bob.token, "", 409, "CONFLICT"},
		{"JoinUnknown", "POST", "/api/channels/" + unknown + "/join", bob.token, "", 404, "NOT_FOUND"},
		{"LeaveNotMember", "POST", ch + "/leave", carol.token, "", 404, "NOT_FOUND"},
		{"LeaveLastOwner", "POST", ch + "/leave", alice.token, "", 409, "CONFLICT"},
		{"MembersUnknown", "GET", "/api/channels/" + unknown + "/members", alice.token, "", 404, "NOT_FOUND"},

		{"RoleUnknownRole", "PUT", ch + "/members/" + bob.ID + "/role", alice.token, `{"role":"boss"}`, 400, "INVALID_PARAMETER"},
		{"RoleBadUserID", "PUT", ch + "/members/bob/role", alice.token, `{"role":"admin"}`, 400, "INVALID_PARAMETER"},
		{"RoleNotMember", "PUT", ch + "/members/" + carol.ID + "/role", alice.token, `{"role":"admin"}`, 404, "NOT_FOUND"},
		{"RoleUnknownChannel", "PUT", "/api/channels/" + unknown + "/members/" + bob.ID + "/role", alice.token, `{"role":"admin"}`, 404, "NOT_FOUND"},
		{"RoleByMember", "PUT", ch + "/members/" + alice.ID + "/role", bob.token, `{"role":"member"}`, 403, "FORBIDDEN"},
		{"RoleDemoteLastOwner", "PUT", ch + "/members/" + alice.ID + "/role", alice.token, `{"role":"admin"}`, 409, "CONFLICT"},

		{"KickBadUserID", "POST", ch + "/kick", alice.token, `{"user_id":"bob"}`, 400, "INVALID_PARAMETER"},
		{"KickNoBody", "POST", ch + "/kick", alice.token, "", 400, "INVALID_PARAMETER"},
		{"KickNotMember", "POST", ch + "/kick", alice.token, `{"user_id":"` + carol.ID + `"}`, 404, "NOT_FOUND"},
		{"KickByMember", "POST", ch + "/kick", bob.token, `{"user_id":"` + alice.ID + `"}`, 403, "FORBIDDEN"},
		{"KickSelf", "POST", ch + "/kick", alice.token, `{"user_id":"` + alice.ID + `"}`, 403, "FORBIDDEN"},

		{"BanNoMotive", "POST", ch + "/bans", alice.token, `{"user_id":"` + carol.ID + `"}`, 400, "INVALID_PARAMETER"},
		{"BanBlankMotive", "POST", ch + "/bans", alice.token, `{"user_id":"` + carol.ID + `","motive":" "}`, 400, "INVALID_PARAMETER"},
		{"BanLongMotive", "POST", ch + "/bans", alice.token, `{"user_id":"` + carol.ID + `","motive":` + long(501) + `}`, 400, "INVALID_PARAMETER"},
		{"BanUnknownUser", "POST", ch + "/bans", alice.token, `{"user_id":"` + unknown + `","motive":"x"}`, 404, "NOT_FOUND"},
		{"BanByMember", "POST", ch + "/bans", bob.token, `{"user_id":"` + carol.ID + `","motive":"x"}`, 403, "FORBIDDEN"},
		{"BanUnknownChannel", "POST", "/api/channels/" + unknown + "/bans", alice.token, `{"user_id":"` + carol.ID + `","motive":"x"}`, 404, "NOT_FOUND"},
		{"UnbanNotBanned", "DELETE", ch + "/bans/" + carol.ID, alice.token, "", 404, "NOT_FOUND"},
		{"UnbanLongMotive", "DELETE", ch + "/bans/" + carol.ID, alice.token, `{"motive":` + long(501) + `}`, 400, "INVALID_PARAMETER"},
		{"UnbanBadBody", "DELETE", ch + "/bans/" + carol.ID, alice.token, `{"why":"x"}`, 400, "INVALID_PARAMETER"},
		{"UnbanByMember", "DELETE", ch + "/bans/" + carol.ID, bob.token, "", 403, "FORBIDDEN"},

		{"HistoryLimitZero", "GET", ch + "/messages?limit=0", bob.token, "", 400, "INVALID_PARAMETER"},
		{"HistoryLimitHigh", "GET", ch + "/messages?limit=101", bob.token, "", 400, "INVALID_PARAMETER"},
		{"HistoryLimitText", "GET", ch + "/messages?limit=ten", bob.token, "", 400, "INVALID_PARAMETER"},
		{"HistoryCursorText", "GET", ch + "/messages?cursor=abc", bob.token, "", 400, "INVALID_PARAMETER"},
		{"HistoryCursorZero", "GET", ch + "/messages?cursor=0", bob.token, "", 400, "INVALID_PARAMETER"},
		{"HistoryMalformedQuery", "GET", ch + "/messages?limit=5;cursor=1", bob.token, "", 400, "INVALID_PARAMETER"},
		{"HistoryBadEscape", "GET", ch + "/messages?limit=5%zz", bob.token, "", 400, "INVALID_PARAMETER"},
		{"HistoryNotMember", "GET", ch + "/messages", carol.token, "", 403, "FORBIDDEN"},
		{"HistoryUnknown", "GET", "/api/channels/" + unknown + "/messages", carol.token, "", 404, "NOT_FOUND"},

		{"PostNoContent", "POST", ch + "/messages", bob.token, `{}`, 400, "INVALID_PARAMETER"},
		{"PostBlank", "POST", ch + "/messages", bob.token, `{"content":" \n"}`, 400, "INVALID_PARAMETER"},
		{"PostLong", "POST", ch + "/messages", bob.token, `{"content":` + long(4001) + `}`, 400, "INVALID_PARAMETER"},
		{"PostParentNotUUID", "POST", ch + "/messages", bob.token, `{"content":"x","parent_message_id":"1"}`, 400, "INVALID_PARAMETER"},
		{"PostParentOtherChannel", "POST", ch + "/messages", bob.token, `{"content":"x","parent_message_id":"` + otherMsg + `"}`, 400, "INVALID_PARAMETER"},
		{"PostParentUnknown", "POST", ch + "/messages", bob.token, `{"content":"x","parent_message_id":"` + unknown + `"}`, 400, "INVALID_PARAMETER"},
		{"PostNotMember", "POST", ch + "/messages", carol.token, `{"content":"x"}`, 403, "FORBIDDEN"},
		{"PostUnknownChannel", "POST", "/api/channels/" + unknown + "/messages", bob.token, `{"content":"x"}`, 404, "NOT_FOUND"},

		{"EditNotAuthor", "PATCH", ch + "/messages/" + bobMsg, alice.token, `{"content":"mine now"}`, 403, "FORBIDDEN"},
		{"EditBlank", "PATCH", ch + "/messages/" + bobMsg, bob.token, `{"content":""}`, 400, "INVALID_PARAMETER"},
		{"EditParent", "PATCH", ch + "/messages/" + bobMsg, bob.token, `{"content":"x","parent_message_id":"` + otherMsg + `"}`, 400, "INVALID_PARAMETER"},
		{"EditUnknown", "PATCH", ch + "/messages/" + unknown, bob.token, `{"content":"x"}`, 404, "NOT_FOUND"},
		{"EditOtherChannels", "PATCH", ch + "/messages/" + otherMsg, alice.token, `{"content":"x"}`, 404, "NOT_FOUND"},
		{"EditBadID", "PATCH", ch + "/messages/latest", bob.token, `{"content":"x"}`, 400, "INVALID_PARAMETER"},
		{"DeleteMessageNotMember", "DELETE", ch + "/messages/" + bobMsg, carol.token, "", 403, "FORBIDDEN"},
		{"DeleteMessageUnknown", "DELETE", ch + "/messages/" + unknown, bob.token, "", 404, "NOT_FOUND"},
		{"DeleteMessageUnknownChannel", "DELETE", "/api/channels/" + unknown + "/messages/" + bobMsg, bob.token, "", 404, "NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.do(tc.method, tc.path, tc.token, tc.body).wantError(t, tc.status, tc.code)
		})
	}
	// Nothing above changed anything: the channel saw only bob's join and
	// his message.
	var got struct {
		LastSeq int64 `json:"last_seq"`
	}
	s.do("GET", ch, alice.token, "").ok(t, http.StatusOK, &got)
	if got.LastSeq != 2 {
		t.Fatalf("last_seq %d after refused requests, want 2", got.LastSeq)
	}
}

// TestREST_Shapes checks the answers of the successful requests.
func TestChannelREST_Shapes(t *testing.T) {
	s := newServer(t)
	alice, bob := s.user("alice"), s.user("bob")
	var created map[string]any
	s.do("POST", "/api/channels", alice.token, `{"name":"  Ops  ","description":"pager"}`).ok(t, http.StatusCreated, &created)
	id, _ := created["id"].(string)
	if created["name"] != "Ops" || created["description"] != "pager" || created["created_by"] != alice.ID ||
		created["member_count"] != 1.0 || created["last_seq"] != 0.0 || created["role"] != "owner" ||
		!timestampPattern.MatchString(created["created_at"].(string)) || len(created) != 9 {
		t.Fatalf("created %v", created)
	}
	s.join(bob, id)

	var list struct{ Channels []map[string]any }
	s.do("GET", "/api/channels", bob.token, "").ok(t, http.StatusOK, &list)
	if len(list.Channels) != 1 || list.Channels[0]["member_count"] != 2.0 || list.Channels[0]["role"] != "member" {
		t.Fatalf("list %v", list)
	}
	var got map[string]any
	s.do("GET", "/api/channels/"+id, s.user("carol").token, "").ok(t, http.StatusOK, &got)
	if got["role"] != nil || got["last_seq"] != 1.0 {
		t.Fatalf("outsider's view %v", got)
	}

	var members struct{ Members []map[string]any }
	s.do("GET", "/api/channels/"+id+"/members", bob.token, "").ok(t, http.StatusOK, &members)
	if len(members.Members) != 2 || members.Members[0]["username"] != "alice" || members.Members[0]["role"] != "owner" ||
		members.Members[1]["user_id"] != bob.ID || members.Members[1]["role"] != "member" {
		t.Fatalf("members %v", members)
	}

	var msg map[string]any
	s.do("POST", "/api/channels/"+id+"/messages", bob.token, `{"content":"one"}`).ok(t, http.StatusCreated, &msg)
	if msg["content"] != "one" || msg["user_id"] != bob.ID || msg["username"] != "bob" || msg["seq"] != 2.0 ||
		msg["parent_message_id"] != nil || msg["edited_at"] != nil || msg["channel_id"] != id || len(msg) != 9 {
		t.Fatalf("message %v", msg)
	}
	for _, c := range []string{"two", "three", "four", "five"} {
		s.post(bob, id, c)
	}
	var edited map[string]any
	s.do("PATCH", "/api/channels/"+id+"/messages/"+msg["id"].(string), bob.token, `{"content":"uno"}`).ok(t, http.StatusOK, &edited)
	if edited["content"] != "uno" || edited["edited_at"] == nil || edited["seq"] != 2.0 {
		t.Fatalf("edited %v", edited)
	}

	type page struct {
		Messages   []map[string]any
		NextCursor *string `json:"next_cursor"`
	}
	var p page
	s.do("GET", "/api/channels/"+id+"/messages?limit=2", bob.token, "").ok(t, http.StatusOK, &p)
	if len(p.Messages) != 2 || p.Messages[0]["content"] != "five" || p.NextCursor == nil {
		t.Fatalf("page 1 %v", p)
	}
	s.do("GET", "/api/channels/"+id+"/messages?limit=2&cursor="+*p.NextCursor, bob.token, "").ok(t, http.StatusOK, &p)
	if len(p.Messages) != 2 || p.Messages[0]["content"] != "three" || p.NextCursor == nil {
		t.Fatalf("page 2 %v", p)
	}
	s.do("GET", "/api/channels/"+id+"/messages?cursor="+*p.NextCursor, bob.token, "").ok(t, http.StatusOK, &p)
	if len(p.Messages) != 1 || p.Messages[0]["content"] != "uno" || p.NextCursor != nil {
		t.Fatalf("last page %v", p)
	}

	var ban map[string]any
	s.do("POST", "/api/channels/"+id+"/bans", alice.token, `{"user_id":"`+bob.ID+`","motive":"spam"}`).ok(t, http.StatusCreated, &ban)
	if ban["user_id"] != bob.ID || ban["motive"] != "spam" || ban["banned_by"] != alice.ID || ban["channel_id"] != id {
		t.Fatalf("ban %v", ban)
	}
	// Bob's messages stay after the ban; the channel goes on.
	s.do("GET", "/api/channels/"+id+"/messages", alice.token, "").ok(t, http.StatusOK, &p)
	if len(p.Messages) != 5 {
		t.Fatalf("%d messages after the ban", len(p.Messages))
	}
}
