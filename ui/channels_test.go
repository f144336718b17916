package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/ui"
)

// channel creates a channel owned by owner, with members joined.
func (b *belfry) channel(owner *app.User, name string, members ...*app.User) *app.Channel {
	b.t.Helper()
	ctx := context.Background()
	ch, err := b.Channels.CreateChannel(ctx, owner, name, "")
	if err != nil {
		b.t.Fatal(err)
	}
	for _, m := range members {
		if _, err := b.Channels.Join(ctx, m, ch.ID); err != nil {
			b.t.Fatal(err)
		}
	}
	return ch
}

// post posts content as u and returns the message.
func (b *belfry) post(u *app.User, ch *app.Channel, content string) *app.Message {
	b.t.Helper()
	m, err := b.Channels.Post(context.Background(), u, ch.ID, content, "")
	if err != nil {
		b.t.Fatal(err)
	}
	return m
}

// role returns u's role in ch, "" when not a member.
func (b *belfry) role(u *app.User, ch *app.Channel) app.Role {
	b.t.Helper()
	_, r, err := b.Channels.Channel(context.Background(), u, ch.ID)
	if err != nil {
		b.t.Fatal(err)
	}
	return r
}

// wantRedirect checks an htmx answer that sends the browser elsewhere.
func wantRedirect(t *testing.T, resp *http.Response, header, to string) {
	t.Helper()
	if resp.StatusCode != http.StatusOK || resp.Header.Get(header) != to {
		t.Errorf("%s: %d, %s %q, want %q", resp.Request.URL.Path, resp.StatusCode, header, resp.Header.Get(header), to)
	}
}

func TestChannelsListCreateJoinLeave(t *testing.T) {
	b := newBelfry(t)
	ann, bob := b.user("ann", false), b.user("bob", false)
	c := b.login("ann")
	ctx := context.Background()

	if st, page := c.get("/channels", false); st != http.StatusOK || !strings.Contains(page, "No channels yet") {
		t.Fatalf("empty list: %d", st)
	}
	anon := b.anonymous()
	for _, p := range []string{"/channels", "/channels/01900000-0000-7000-8000-000000000009"} {
		if resp := anon.do(http.MethodGet, p, nil, false); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s without a session: %d", p, resp.StatusCode)
		}
	}
	if resp := anon.do(http.MethodPost, "/ui/channels", url.Values{"name": {"x"}}, false); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("create without a session: %d", resp.StatusCode)
	}
	resp := c.do(http.MethodPost, "/ui/channels", url.Values{"name": {"  " + ui.Hostile + " "}, "description": {ui.Hostile}}, true)
	chs, _, err := b.Channels.ListChannels(ctx, ann)
	if err != nil || len(chs) != 1 || chs[0].Name != ui.Hostile || chs[0].Description != ui.Hostile {
		t.Fatalf("channels %v %v", chs, err)
	}
	ch := chs[0]
	wantRedirect(t, resp, "HX-Redirect", "/channels/"+ch.ID)
	if b.role(ann, ch) != app.RoleOwner {
		t.Error("the creator is not the owner")
	}
	st, page := c.get("/channels", false)
	if st != http.StatusOK || !strings.Contains(page, `<a class="chan-name" href="/channels/`+ch.ID+`">`+ui.Escaped+`</a> <span class="tag role-owner">owner</span>`) ||
		!strings.Contains(page, "1 member<") || strings.Contains(page, "<img") {
		t.Errorf("list:\n%s", page)
	}
	for name, tc := range map[string]struct {
		form   url.Values
		status int
		msg    string
	}{
		"no name":   {url.Values{"name": {"  "}}, http.StatusBadRequest, "must not be empty"},
		"long name": {url.Values{"name": {strings.Repeat("n", 65)}}, http.StatusBadRequest, "at most 64"},
		"long desc": {url.Values{"name": {"x"}, "description": {strings.Repeat("d", 501)}}, http.StatusBadRequest, "at most 500"},
		"taken":     {url.Values{"name": {strings.ToUpper(ui.Hostile)}}, http.StatusConflict, ""},
	} {
		st, body := c.send(http.MethodPost, "/ui/channels", tc.form)
		wantAlert(t, st, body, tc.status, tc.msg)
		if strings.Contains(body, "HX-Redirect") {
			t.Errorf("%s: redirected", name)
		}
	}

	// Bob joins from the list and is sent to the channel; joining twice
	// is a conflict, an unknown channel is not found.
	bc := b.login("bob")
	wantRedirect(t, bc.do(http.MethodPost, "/ui/channels/"+ch.ID+"/join", nil, true), "HX-Redirect", "/channels/"+ch.ID)
	if b.role(bob, ch) != app.RoleMember {
		t.Error("bob is not a member")
	}
	st, body := bc.send(http.MethodPost, "/ui/channels/"+ch.ID+"/join", nil)
	wantAlert(t, st, body, http.StatusConflict, "")
	st, body = bc.send(http.MethodPost, "/ui/channels/01900000-0000-7000-8000-000000000009/join", nil)
	wantAlert(t, st, body, http.StatusNotFound, "Channel not found.")
	st, body = bc.send(http.MethodPost, "/ui/channels/general/join", nil)
	wantAlert(t, st, body, http.StatusBadRequest, "malformed")

	// Leaving from the list answers with the row; from the channel it goes
	// back to the list. The last owner cannot leave.
	st, body = bc.send(http.MethodPost, "/ui/channels/"+ch.ID+"/leave", nil)
	if st != http.StatusOK || !strings.Contains(body, `<li class="chan-row" id="chan-`+ch.ID+`">`) || !strings.Contains(body, ">Join</button>") ||
		!strings.Contains(body, "You left "+ui.Escaped) {
		t.Errorf("leave from the list: %d\n%s", st, body)
	}
	if b.role(bob, ch) != "" {
		t.Error("bob is still a member")
	}
	st, body = bc.send(http.MethodPost, "/ui/channels/"+ch.ID+"/leave", nil)
	wantAlert(t, st, body, http.StatusNotFound, "not a member")
	if _, err := b.Channels.Join(ctx, bob, ch.ID); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, bc.do(http.MethodPost, "/ui/channels/"+ch.ID+"/leave", url.Values{"view": {"channel"}}, true), "HX-Redirect", "/channels")
	st, body = c.send(http.MethodPost, "/ui/channels/"+ch.ID+"/leave", nil)
	wantAlert(t, st, body, http.StatusConflict, "")
}

func TestChannelPage(t *testing.T) {
	b := newBelfry(t)
	ann, bob := b.user("ann", false), b.user("bob", false)
	b.user("eve", false)
	ch := b.channel(ann, "homelab", bob)
	first := b.post(bob, ch, ui.Hostile)
	for i := 1; i <= ui.HistoryPageSize; i++ {
		b.post(ann, ch, fmt.Sprintf("message %d", i))
	}
	c := b.login("ann")

	st, page := c.get("/channels/"+ch.ID, false)
	if st != http.StatusOK {
		t.Fatalf("page: %d", st)
	}
	fresh, _, _ := b.Channels.Channel(context.Background(), ann, ch.ID)
	for _, want := range []string{
		`data-last-seq="` + fmt.Sprint(fresh.LastSeq) + `"`,
		`data-me="` + ann.ID + `"`,
		`data-role="owner"`,
		`class="chan chan-mod"`,
		`>message 50</p>`,
		`<title>homelab · Belfry</title>`,
		`aria-current="page"><svg`,
		`id="composer"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// The newest 50 are shown, oldest first; the first message is behind
	// "load older".
	if strings.Contains(page, ui.Escaped) || strings.Index(page, ">message 1</p>") > strings.Index(page, ">message 50</p>") {
		t.Error("history is not the newest page, oldest first")
	}
	more := regexp.MustCompile(`hx-get="(/ui/channels/[^"]+/messages\?before=\d+)"`).FindStringSubmatch(page)
	if more == nil {
		t.Fatal("no load older")
	}
	st, body := c.send(http.MethodGet, more[1], nil)
	if st != http.StatusOK || !strings.Contains(body, `<p class="msg-text">`+ui.Escaped+`</p>`) || !strings.Contains(body, `id="msg-`+first.ID+`"`) ||
		strings.Contains(body, "message 1<") || strings.Contains(body, "Load older") || strings.Contains(body, "No messages yet") {
		t.Errorf("older page: %d\n%s", st, body)
	}
	for _, q := range []string{"?before=0", "?before=x", "?before=-3"} {
		st, body := c.send(http.MethodGet, "/ui/channels/"+ch.ID+"/messages"+q, nil)
		wantAlert(t, st, body, http.StatusBadRequest, "malformed")
	}

	// A non-member sees the members and a join button, but no messages.
	ec := b.login("eve")
	st, page = ec.get("/channels/"+ch.ID, false)
	if st != http.StatusOK || !strings.Contains(page, `id="chan-join"`) || strings.Contains(page, "message 50") || !strings.Contains(page, `data-username="bob"`) {
		t.Errorf("page of a non-member: %d", st)
	}
	st, body = ec.send(http.MethodGet, "/ui/channels/"+ch.ID+"/messages", nil)
	wantAlert(t, st, body, http.StatusForbidden, "Only members")

	if st, page = c.get("/channels/01900000-0000-7000-8000-000000000009", false); st != http.StatusNotFound || !strings.Contains(page, "Channel not found.") {
		t.Errorf("unknown channel: %d", st)
	}
	if st, _ = c.get("/channels/homelab", false); st != http.StatusBadRequest {
		t.Errorf("malformed id: %d", st)
	}
}

func TestChannelMessages(t *testing.T) {
	b := newBelfry(t)
	ann, bob, eve := b.user("ann", false), b.user("bob", false), b.user("eve", false)
	ch := b.channel(ann, "homelab", bob)
	other := b.channel(eve, "elsewhere")
	elsewhere := b.post(eve, other, "not here")
	ctx := context.Background()
	ac, bc, ec := b.login("ann"), b.login("bob"), b.login("eve")
	msgs := "/ui/channels/" + ch.ID + "/messages"

	resp := bc.do(http.MethodPost, msgs, url.Values{"content": {ui.Hostile}}, true)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("post: %d", resp.StatusCode)
	}
	list, _, err := b.Channels.Messages(ctx, bob, ch.ID, 0, 10)
	if err != nil || len(list) != 1 || list[0].Content != ui.Hostile || list[0].UserID != bob.ID {
		t.Fatalf("messages %v %v", list, err)
	}
	m := list[0]
	if resp = ac.do(http.MethodPost, msgs, url.Values{"content": {"re"}, "parent_message_id": {strings.ToUpper(m.ID)}}, true); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("reply: %d", resp.StatusCode)
	}
	if list, _, _ = b.Channels.Messages(ctx, ann, ch.ID, 0, 10); list[0].ParentMessageID != m.ID {
		t.Errorf("reply stored with parent %q", list[0].ParentMessageID)
	}
	_, page := ac.get("/channels/"+ch.ID, false)
	if !strings.Contains(page, `data-parent="`+m.ID+`"`) || !strings.Contains(page, `<strong>bob</strong> `+ui.Escaped) {
		t.Error("the reply does not quote its parent")
	}
	for name, tc := range map[string]struct {
		c      *client
		form   url.Values
		status int
		msg    string
	}{
		"empty":          {bc, url.Values{"content": {"  \n "}}, http.StatusBadRequest, "must not be empty"},
		"too long":       {bc, url.Values{"content": {strings.Repeat("x", 4001)}}, http.StatusBadRequest, "at most 4000"},
		"bad parent":     {bc, url.Values{"content": {"x"}, "parent_message_id": {"first"}}, http.StatusBadRequest, "malformed"},
		"foreign parent": {bc, url.Values{"content": {"x"}, "parent_message_id": {elsewhere.ID}}, http.StatusBadRequest, ""},
		"non-member":     {ec, url.Values{"content": {"hi"}}, http.StatusForbidden, "not a member"},
	} {
		st, body := tc.c.send(http.MethodPost, msgs, tc.form)
		t.Run(name, func(t *testing.T) { wantAlert(t, st, body, tc.status, tc.msg) })
	}

	// Edit: the author only.
	path := msgs + "/" + m.ID
	if resp = bc.do(http.MethodPatch, path, url.Values{"content": {"edited"}}, true); resp.StatusCode != http.StatusNoContent {
		t.Errorf("edit: %d", resp.StatusCode)
	}
	if got, _, _ := b.Channels.Messages(ctx, bob, ch.ID, 0, 10); got[1].Content != "edited" || got[1].EditedAt == nil {
		t.Errorf("after edit %+v", got[1])
	}
	st, body := ac.send(http.MethodPatch, path, url.Values{"content": {"mine now"}})
	wantAlert(t, st, body, http.StatusForbidden, "Only the author")
	st, body = bc.send(http.MethodPatch, path, url.Values{"content": {""}})
	wantAlert(t, st, body, http.StatusBadRequest, "must not be empty")
	st, body = bc.send(http.MethodPatch, msgs+"/01900000-0000-7000-8000-000000000009", url.Values{"content": {"x"}})
	wantAlert(t, st, body, http.StatusNotFound, "")
	st, body = bc.send(http.MethodPatch, msgs+"/42", url.Values{"content": {"x"}})
	wantAlert(t, st, body, http.StatusBadRequest, "malformed")

	// Delete: a member may not delete another's message; the owner may.
	reply := list[0]
	st, body = bc.send(http.MethodDelete, msgs+"/"+reply.ID, nil)
	wantAlert(t, st, body, http.StatusForbidden, "")
	if resp = ac.do(http.MethodDelete, path, nil, true); resp.StatusCode != http.StatusNoContent {
		t.Errorf("owner deletes bob's message: %d", resp.StatusCode)
	}
	if resp = ac.do(http.MethodDelete, msgs+"/"+reply.ID, nil, true); resp.StatusCode != http.StatusNoContent {
		t.Errorf("ann deletes her reply: %d", resp.StatusCode)
	}
	if got, _, _ := b.Channels.Messages(ctx, ann, ch.ID, 0, 10); len(got) != 0 {
		t.Errorf("%d messages left", len(got))
	}
	st, body = ac.send(http.MethodDelete, path, nil)
	wantAlert(t, st, body, http.StatusNotFound, "")
}

func TestChannelModeration(t *testing.T) {
	b := newBelfry(t)
	ann, bob, carol := b.user("ann", false), b.user("bob", false), b.user("carol", false)
	eve := b.user("eve", false)
	ch := b.channel(ann, "homelab", bob, carol)
	ac, bc := b.login("ann"), b.login("bob")
	base := "/ui/channels/" + ch.ID

	// The owner sees a manage menu on the others, a member on no one.
	_, body := ac.send(http.MethodGet, base+"/members", nil)
	if n := strings.Count(body, `class="member-mod popover-wrap"`); n != 3 || !strings.Contains(body, "Ban or unban by name") ||
		!strings.Contains(body, `<span id="chan-count" hx-swap-oob="true">3</span>`) {
		t.Errorf("%d manage menus for the owner:\n%s", n, body)
	}
	if _, body = bc.send(http.MethodGet, base+"/members", nil); strings.Contains(body, "member-mod") || strings.Contains(body, "Ban or unban") {
		t.Errorf("a member is offered moderation:\n%s", body)
	}

	// Roles.
	st, body := ac.send(http.MethodPut, base+"/members/"+bob.ID+"/role", url.Values{"role": {"moderator"}})
	if st != http.StatusOK || !strings.Contains(body, "bob is now moderator.") || b.role(bob, ch) != app.RoleModerator {
		t.Fatalf("make bob moderator: %d\n%s", st, body)
	}
	// A moderator may moderate members, not change roles.
	if _, body = bc.send(http.MethodGet, base+"/members", nil); strings.Count(body, `class="member-mod popover-wrap"`) != 1 || strings.Contains(body, "Change role") {
		t.Errorf("the moderator's menus:\n%s", body)
	}
	for name, tc := range map[string]struct {
		c            *client
		method, path string
		form         url.Values
		status       int
		msg          string
	}{
		"bad role":         {ac, http.MethodPut, base + "/members/" + bob.ID + "/role", url.Values{"role": {"king"}}, http.StatusBadRequest, "Role must be"},
		"role by a mod":    {bc, http.MethodPut, base + "/members/" + carol.ID + "/role", url.Values{"role": {"moderator"}}, http.StatusForbidden, ""},
		"role of outsider": {ac, http.MethodPut, base + "/members/" + eve.ID + "/role", url.Values{"role": {"member"}}, http.StatusNotFound, ""},
		"malformed user":   {ac, http.MethodPut, base + "/members/bob/role", url.Values{"role": {"member"}}, http.StatusBadRequest, "malformed"},
		"kick the owner":   {bc, http.MethodPost, base + "/kick", url.Values{"user_id": {ann.ID}}, http.StatusForbidden, ""},
		"kick nobody":      {ac, http.MethodPost, base + "/kick", url.Values{}, http.StatusBadRequest, "Name the user"},
		"kick a ghost":     {ac, http.MethodPost, base + "/kick", url.Values{"user_id": {"01900000-0000-7000-8000-000000000009"}}, http.StatusNotFound, "does not exist"},
		"kick an outsider": {ac, http.MethodPost, base + "/kick", url.Values{"user_id": {eve.ID}}, http.StatusNotFound, ""},
		"ban, no motive":   {ac, http.MethodPost, base + "/bans", url.Values{"user_id": {carol.ID}, "motive": {"  "}}, http.StatusBadRequest, "motive is required"},
		"ban by a member":  {b.login("carol"), http.MethodPost, base + "/bans", url.Values{"username": {"eve"}, "motive": {"x"}}, http.StatusForbidden, ""},
		"ban unknown name": {ac, http.MethodPost, base + "/bans", url.Values{"username": {"zed"}, "motive": {"x"}}, http.StatusNotFound, "no user called “zed”"},
		"unban not banned": {ac, http.MethodPost, base + "/unban", url.Values{"username": {"eve"}}, http.StatusNotFound, ""},
		"long motive":      {ac, http.MethodPost, base + "/unban", url.Values{"username": {"eve"}, "motive": {strings.Repeat("m", 501)}}, http.StatusBadRequest, "at most 500"},
	} {
		st, body := tc.c.send(tc.method, tc.path, tc.form)
		t.Run(name, func(t *testing.T) { wantAlert(t, st, body, tc.status, tc.msg) })
	}

	// The moderator kicks carol; she may join again.
	st, body = bc.send(http.MethodPost, base+"/kick", url.Values{"user_id": {carol.ID}})
	if st != http.StatusOK || !strings.Contains(body, "carol was removed") || strings.Contains(body, `data-username="carol"`) || b.role(carol, ch) != "" {
		t.Errorf("kick: %d\n%s", st, body)
	}
	// Ban by name someone who is not a member; they cannot join until
	// unbanned.
	st, body = bc.send(http.MethodPost, base+"/bans", url.Values{"username": {"eve"}, "motive": {"spam " + ui.Hostile}})
	if st != http.StatusOK || !strings.Contains(body, "eve is banned") {
		t.Errorf("ban: %d\n%s", st, body)
	}
	ec := b.login("eve")
	st, body = ec.send(http.MethodPost, base+"/join", nil)
	wantAlert(t, st, body, http.StatusForbidden, "banned")
	st, body = ac.send(http.MethodPost, base+"/bans", url.Values{"user_id": {eve.ID}, "motive": {"again"}})
	wantAlert(t, st, body, http.StatusConflict, "")
	if st, body = bc.send(http.MethodPost, base+"/unban", url.Values{"username": {"eve"}}); st != http.StatusOK || !strings.Contains(body, "eve may join the channel again.") {
		t.Errorf("unban: %d\n%s", st, body)
	}
	wantRedirect(t, ec.do(http.MethodPost, base+"/join", nil, true), "HX-Redirect", "/channels/"+ch.ID)
}

func TestChannelSettingsAndDelete(t *testing.T) {
	b := newBelfry(t)
	ann, bob := b.user("ann", false), b.user("bob", false)
	ch := b.channel(ann, "homelab", bob)
	ac, bc := b.login("ann"), b.login("bob")
	path := "/ui/channels/" + ch.ID

	st, body := bc.send(http.MethodPatch, path, url.Values{"name": {"mine"}})
	wantAlert(t, st, body, http.StatusForbidden, "Only owners and admins")
	st, body = ac.send(http.MethodPatch, path, url.Values{"name": {""}})
	wantAlert(t, st, body, http.StatusBadRequest, "must not be empty")
	wantRedirect(t, ac.do(http.MethodPatch, path, url.Values{"name": {"lab"}, "description": {"the rack"}}, true), "HX-Refresh", "true")
	if got, _, _ := b.Channels.Channel(context.Background(), ann, ch.ID); got.Name != "lab" || got.Description != "the rack" {
		t.Errorf("after update %+v", got)
	}
	if _, page := bc.get("/channels/"+ch.ID, false); strings.Contains(page, "Settings") || strings.Contains(page, "Delete channel") {
		t.Error("a member is offered the settings")
	}

	st, body = bc.send(http.MethodDelete, path, nil)
	wantAlert(t, st, body, http.StatusForbidden, "Only owners")
	wantRedirect(t, ac.do(http.MethodDelete, path, nil, true), "HX-Redirect", "/channels")
	if _, _, err := b.Channels.Channel(context.Background(), ann, ch.ID); app.ErrorKind(err) != app.ENOTFOUND {
		t.Errorf("after delete: %v", err)
	}
	if st, _ = ac.get("/channels/"+ch.ID, false); st != http.StatusNotFound {
		t.Errorf("page of a deleted channel: %d", st)
	}
}
