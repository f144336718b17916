package channels

import (
	"net/http"

	"github.com/belfry/belfry/app/web"
)

// Doc describes the channel routes for the OpenAPI document.
func (s *Service) Doc() web.Doc {
	return web.Doc{Operations: operations(), Schemas: map[string]web.Schema{
		"Channel": web.Object("id!", web.UUID(""), "name!", web.Str(""), "description!", web.Str(""), "created_by!", web.Nullable(web.UUID("")),
			"member_count!", web.Int(""), "last_seq", web.Int(""), "role!", web.Nullable(web.Str("The caller's role; null when not a member.")),
			"created_at!", web.Time(""), "updated_at!", web.Time("")),
		"Member": web.Object("user_id!", web.UUID(""), "username!", web.Nullable(web.Str("")),
			"role!", web.Enum("owner", "admin", "moderator", "member"), "joined_at!", web.Time("")),
		"Ban": web.Object("channel_id!", web.UUID(""), "user_id!", web.UUID(""), "banned_by!", web.Nullable(web.UUID("")),
			"motive!", web.Str(""), "created_at!", web.Time("")),
		"Message": web.Object("id!", web.UUID(""), "channel_id!", web.UUID(""), "user_id!", web.Nullable(web.UUID("")),
			"username!", web.Nullable(web.Str("")), "parent_message_id!", web.Nullable(web.UUID("")), "content!", web.Str(""),
			"seq!", web.Int(""), "created_at!", web.Time(""), "edited_at!", web.Nullable(web.Time(""))),
	}}
}

func operations() []web.Operation {
	channel, member := web.Ref("Channel"), web.Ref("Member")
	return []web.Operation{
		{Method: "POST", Path: "/api/channels", Tag: "channels", Auth: web.AnyLogin, Summary: "Create a channel; the caller owns it.",
			Body: web.Object("name!", web.Str(""), "description", web.Str("")), Status: 201, Result: channel,
			Errors: append(web.BodyErrors, http.StatusConflict)},
		{Method: "GET", Path: "/api/channels", Tag: "channels", Auth: web.AnyLogin, Summary: "Every channel.",
			Status: 200, Result: web.Object("channels!", web.Array(channel)), Errors: web.AuthErrors},
		{Method: "GET", Path: "/api/channels/:id", Tag: "channels", Auth: web.AnyLogin, Summary: "One channel.",
			Status: 200, Result: channel, Errors: web.IDErrors},
		{Method: "PATCH", Path: "/api/channels/:id", Tag: "channels", Auth: web.AnyLogin, Summary: "Rename or describe a channel.",
			Body: web.Object("name", web.Str(""), "description", web.Str("")), Status: 200, Result: channel,
			Errors: append(web.BodyErrors, http.StatusNotFound, http.StatusConflict)},
		{Method: "DELETE", Path: "/api/channels/:id", Tag: "channels", Auth: web.AnyLogin, Summary: "Delete a channel (owner).",
			Status: 200, Result: web.OKResult, Errors: web.IDErrors},
		{Method: "POST", Path: "/api/channels/:id/join", Tag: "channels", Auth: web.AnyLogin, Summary: "Join a channel.",
			Status: 200, Result: member, Errors: web.IDErrors},
		{Method: "POST", Path: "/api/channels/:id/leave", Tag: "channels", Auth: web.AnyLogin, Summary: "Leave a channel.",
			Status: 200, Result: web.OKResult, Errors: web.IDErrors},
		{Method: "GET", Path: "/api/channels/:id/members", Tag: "channels", Auth: web.AnyLogin, Summary: "A channel's members.",
			Status: 200, Result: web.Object("members!", web.Array(member)), Errors: web.IDErrors},
		{Method: "PUT", Path: "/api/channels/:id/members/:user_id/role", Tag: "channels", Auth: web.AnyLogin,
			Summary: "Change a member's role.", Body: web.Object("role!", web.Enum("owner", "admin", "moderator", "member")),
			Status: 200, Result: member, Errors: append(web.BodyErrors, http.StatusNotFound)},
		{Method: "POST", Path: "/api/channels/:id/kick", Tag: "channels", Auth: web.AnyLogin, Summary: "Remove a member.",
			Body: web.Object("user_id!", web.UUID("")), Status: 200, Result: web.OKResult, Errors: append(web.BodyErrors, http.StatusNotFound)},
		{Method: "POST", Path: "/api/channels/:id/bans", Tag: "channels", Auth: web.AnyLogin, Summary: "Ban a user from a channel.",
			Body: web.Object("user_id!", web.UUID(""), "motive", web.Str("")), Status: 201, Result: web.Ref("Ban"),
			Errors: append(web.BodyErrors, http.StatusNotFound)},
		{Method: "DELETE", Path: "/api/channels/:id/bans/:user_id", Tag: "channels", Auth: web.AnyLogin, Summary: "Lift a ban.",
			Status: 200, Result: web.OKResult, Errors: web.IDErrors},
		{Method: "GET", Path: "/api/channels/:id/messages", Tag: "channels", Auth: web.AnyLogin, Summary: "Message history, newest first.",
			Query:  []web.Param{{Name: "cursor", Description: "next_cursor of the previous page.", Schema: web.Str("")}, {Name: "limit", Description: "Page size.", Schema: web.Int("")}},
			Status: 200, Result: web.Object("messages!", web.Array(web.Ref("Message")), "next_cursor!", web.Nullable(web.Str(""))),
			Errors: append(web.IDErrors, http.StatusBadRequest)},
		{Method: "POST", Path: "/api/channels/:id/messages", Tag: "channels", Auth: web.AnyLogin, Summary: "Post a message or a reply.",
			Body: web.Object("content!", web.Str(""), "parent_message_id", web.UUID("")), Status: 201, Result: web.Ref("Message"),
			Errors: append(web.BodyErrors, http.StatusNotFound)},
		{Method: "PATCH", Path: "/api/channels/:id/messages/:message_id", Tag: "channels", Auth: web.AnyLogin,
			Summary: "Edit a message.", Body: web.Object("content!", web.Str("")), Status: 200, Result: web.Ref("Message"),
			Errors: append(web.BodyErrors, http.StatusNotFound)},
		{Method: "DELETE", Path: "/api/channels/:id/messages/:message_id", Tag: "channels", Auth: web.AnyLogin,
			Summary: "Delete a message.", Status: 200, Result: web.OKResult, Errors: web.IDErrors},
	}
}
