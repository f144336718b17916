package ui

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

const (
	testChannelID = "01900000-0000-7000-8000-0000000000d1"
	otherUserID   = "01900000-0000-7000-8000-0000000000bb"
)

// hostileChannelPage is a channel seen by usr, an owner, with hostile text
// in every name, description and message.
func hostileChannelPage(usr *app.User) channelPage {
	at := time.Date(2026, 3, 30, 11, 50, 0, 0, time.UTC)
	edited := at.Add(time.Minute)
	ch := &app.Channel{ID: testChannelID, Name: hostile, Description: hostile, MemberCount: 3, LastSeq: 42, CreatedAt: at}
	first := &app.Message{ID: "01900000-0000-7000-8000-0000000000e1", ChannelID: ch.ID, UserID: otherUserID, Username: hostile, Content: hostile + "\nsecond line", Seq: 40, CreatedAt: at}
	reply := &app.Message{ID: "01900000-0000-7000-8000-0000000000e2", ChannelID: ch.ID, UserID: usr.ID, Username: usr.Username,
		ParentMessageID: first.ID, Content: "re: " + hostile, Seq: 41, CreatedAt: at, EditedAt: &edited}
	orphan := &app.Message{ID: "01900000-0000-7000-8000-0000000000e3", ChannelID: ch.ID, ParentMessageID: "01900000-0000-7000-8000-0000000000e0",
		Content: "from a deleted account", Seq: 42, CreatedAt: at}
	members := membersPanel{ChannelID: ch.ID, CanBan: true, Rows: []memberRow{
		{Member: &app.Member{UserID: usr.ID, Username: usr.Username, Role: app.RoleOwner}, Me: true, Roles: allRoles},
		{Member: &app.Member{UserID: otherUserID, Username: hostile, Role: app.RoleModerator}, Roles: allRoles, CanKick: true, CanBan: true},
		{Member: &app.Member{UserID: "01900000-0000-7000-8000-0000000000cc", Username: "carol", Role: app.RoleMember}},
	}}
	return channelPage{Channel: ch, Role: app.RoleOwner, Me: usr, LastSeq: 42, Members: members,
		Messages: messageList{ChannelID: ch.ID, More: "/ui/channels/" + ch.ID + "/messages?before=40", Items: []messageRow{
			{Message: first}, {Message: reply, Mine: true, Parent: first}, {Message: orphan},
		}},
		Blank: messageRow{Message: &app.Message{ChannelID: ch.ID}, Blank: true}}
}

// channelRenderCases are the channel templates for
// TestTemplatesRenderEverything.
func channelRenderCases(usr *app.User) []renderCase {
	at := time.Date(2026, 3, 30, 11, 0, 0, 0, time.UTC)
	list := channelsPage{Channels: []channelRow{
		{Channel: &app.Channel{ID: testChannelID, Name: hostile, Description: hostile, MemberCount: 1, CreatedAt: at}, Role: app.RoleOwner},
		{Channel: &app.Channel{ID: "01900000-0000-7000-8000-0000000000d2", Name: "homelab", MemberCount: 12, CreatedAt: at}},
	}}
	cp := hostileChannelPage(usr)
	outsider := cp
	outsider.Role, outsider.Messages = "", messageList{ChannelID: testChannelID}
	outsider.Members.CanBan = false
	live := cp.Members
	live.Live = true
	page := func(set string, content any) renderCase {
		return renderCase{set, "layout", layoutView{Title: hostile, User: usr, Nav: navFor(usr, "/channels"), Scripts: scriptsFor("/channels"), Content: content}}
	}
	return []renderCase{
		page("channels", list),
		page("channels", channelsPage{}),
		{"channels", "channel_list", list},
		{"channels", "channel_row", list.Channels[1]},
		page("channels_view", cp),
		page("channels_view", outsider),
		{"channels_view", "message_items", cp.Messages},
		{"channels_view", "message_items", messageList{ChannelID: testChannelID}},
		{"channels_view", "message_items", messageList{ChannelID: testChannelID, Continued: true}},
		{"channels_view", "channel_message", cp.Messages.Items[1]},
		{"channels_view", "channel_members", live},
	}
}

// TestChannelTemplatesEscapeAndOffer checks the channel view: messages are
// escaped plain text, replies quote their parent, and the moderation
// controls follow the viewer's rights.
func TestChannelTemplatesEscapeAndOffer(t *testing.T) {
	u := newTestUI(t)
	_, usr := hostileSamples()
	cp := hostileChannelPage(usr)
	render := func(set, name string, data any) string {
		t.Helper()
		out, err := u.tmpl.execute(set, name, data)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	html := render("channels_view", "layout", layoutView{Title: "c", User: usr, Nav: navFor(usr, "/channels/x"), Scripts: scriptsFor("/channels/x"), Content: cp})
	for _, want := range []string{
		`<p class="msg-text">` + escaped + "\nsecond line</p>",
		`<strong>` + escaped + `</strong> ` + escaped + "\nsecond line",
		`<span class="msg-parent-text">an earlier message</span>`,
		`<strong class="msg-author">A deleted user</strong>`,
		`data-channel-id="` + testChannelID + `"`,
		`data-last-seq="42"`,
		`class="chan chan-mod"`,
		`<template id="message-template"><li class="msg" id="msg-" data-mid=""`,
		`hx-post="/ui/channels/` + testChannelID + `/kick"`,
		`<summary>Ban or unban by name</summary>`,
		`<script src="` + u.assets.URL("channels.js") + `" defer></script>`,
		`hx-get="/ui/channels/` + testChannelID + `/messages?before=40"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the channel view lacks %q", want)
		}
	}
	if !regexp.MustCompile(`<span class="msg-edited">\(edited\)</span>`).MatchString(html) ||
		strings.Count(html, `<span class="msg-edited" hidden>`) != 3 { // two messages and the template
		t.Error("the edited marker is not shown exactly on the edited message")
	}
	// carol's row has no manage button; the owner's own row offers roles.
	if n := strings.Count(html, `class="member-mod popover-wrap"`); n != 2 {
		t.Errorf("%d manage menus, want 2", n)
	}

	// A non-member sees the join button, no messages, no composer.
	outsider := cp
	outsider.Role, outsider.Messages, outsider.Members.CanBan = "", messageList{}, false
	html = render("channels_view", "content", layoutView{User: usr, Content: outsider})
	if !strings.Contains(html, `id="chan-join"`) || strings.Contains(html, `id="composer"`) || strings.Contains(html, `id="messages"`) ||
		strings.Contains(html, "chan-mod") || strings.Contains(html, "Ban or unban") {
		t.Errorf("the view of a non-member:\n%s", html)
	}

	// A live member list also swaps the header's count.
	live := cp.Members
	live.Live = true
	if html = render("channels_view", "channel_members", live); !strings.Contains(html, `<span id="chan-count" hx-swap-oob="true">3</span>`) {
		t.Errorf("live members without the count:\n%s", html)
	}
}

func TestChannelPageAbilities(t *testing.T) {
	for role, want := range map[app.Role][3]bool{
		app.RoleOwner: {true, true, true}, app.RoleAdmin: {true, true, false}, app.RoleModerator: {true, false, false},
		app.RoleMember: {false, false, false}, "": {false, false, false},
	} {
		p := channelPage{Role: role}
		if got := [3]bool{p.CanModerate(), p.CanManage(), p.CanDelete()}; got != want {
			t.Errorf("%q: moderate, manage, delete = %v, want %v", role, got, want)
		}
	}
	if got := scriptsFor("/channels/" + testChannelID); !slices.Equal(got, []string{"channels.js"}) {
		t.Errorf("scripts of a channel = %v", got)
	}
	if got := snippet(strings.Repeat("é", 100)); len([]rune(got)) != 80 || !strings.HasSuffix(got, "…") {
		t.Errorf("snippet = %q", got)
	}
}

// TestNewTemplatesHaveNoInlineScript checks the webhook and channel
// templates against the CSP: no inline script, handler or style.
func TestNewTemplatesHaveNoInlineScript(t *testing.T) {
	u := newTestUI(t)
	_, usr := hostileSamples()
	// Attributes are looked for in tags, outside quoted values: escaped
	// hostile text may well read "onerror=".
	tags, quoted := regexp.MustCompile(`<[^>]*>`), regexp.MustCompile(`"[^"]*"|'[^']*'`)
	inline := regexp.MustCompile(`\son[a-z]+=|\shx-on|\sstyle=|^<script>`)
	for _, rc := range append(webhookRenderCases(usr), channelRenderCases(usr)...) {
		out, err := u.tmpl.execute(rc.set, rc.name, rc.data)
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range tags.FindAllString(string(out), -1) {
			if m := inline.FindString(quoted.ReplaceAllString(tag, `""`)); m != "" {
				t.Errorf("%s/%s: inline %q in %s", rc.set, rc.name, m, tag)
			}
		}
	}
}
