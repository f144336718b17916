package api

import "net/http"

// The routes of the capabilities that register their own (app/poll,
// app/webhook, app/channels). They are served in the document only once
// the capability is wired; see Operations.

func pollingOperations() []Operation {
	polled := ref("PolledNotification")
	pollErrors := []int{400, 401, 403, 404, http.StatusTooManyRequests}
	return []Operation{
		{Method: "GET", Path: "/api/v1/client/notifications", Tag: "polling", Auth: tokenOnly,
			Summary: "Fetch notifications (client token), one page at a time; wait=N long-polls for new ones.",
			Query: []Param{
				{"status", "pending or acknowledged (default: all).", oneOf("pending", "acknowledged")},
				{"limit", "Page size, 1 to 100 (default 50).", integer("")},
				{"cursor", "next_cursor of the previous page.", str("")},
				{"service_id", "Only this service.", str("")},
				{"project", "Only this project.", str("")},
				{"sort", "newest (default) or oldest.", oneOf("newest", "oldest")},
				{"wait", "Seconds to wait for new notifications (needs sort=oldest and a cursor).", integer("")},
			},
			Status: 200, Result: object("notifications!", array(polled), "pagination!", object(
				"next_cursor!", nullable(str("")), "has_more!", boolean(""), "total_count!", integer(""))),
			Errors: []int{400, 401, 403, http.StatusTooManyRequests}},
		{Method: "GET", Path: "/api/v1/client/notifications/:id", Tag: "polling", Auth: tokenOnly,
			Summary: "Fetch one notification.", Status: 200, Result: polled, Errors: pollErrors},
		{Method: "POST", Path: "/api/v1/client/notifications/:id/acknowledge", Tag: "polling", Auth: tokenOnly,
			Summary: "Acknowledge a notification (also marks it read); 409 if already acknowledged.",
			Status:  200, Result: polled, Errors: append(pollErrors, http.StatusConflict)},
		{Method: "POST", Path: "/api/v1/client/notifications/acknowledge", Tag: "polling", Auth: tokenOnly,
			Summary: "Acknowledge several notifications; each id gets its own outcome.",
			Body:    object("ids!", array(uuidStr(""))), Status: 200,
			Result: object("results!", array(object("id!", str(""), "outcome!", str("acknowledged, already_acknowledged, not_found…"))),
				"acknowledged!", integer("")),
			Errors: []int{400, 401, 403, 413, http.StatusTooManyRequests}},
	}
}

func webhookOperations() []Operation {
	webhookBody := object("name", str(""), "kind!", oneOf("discord", "slack", "ntfy", "generic"), "url!", str(""),
		"events!", array(str("Webhook events, e.g. job.failed.")), "enabled", boolean(""),
		"auth_username", str("ntfy basic auth."), "auth_password", str(""), "auth_token", str("ntfy access token."))
	return []Operation{
		{Method: "GET", Path: "/api/webhooks", Tag: "webhooks", Auth: anyLogin, Summary: "The caller's webhooks.",
			Status: 200, Result: object("webhooks!", array(ref("Webhook"))), Errors: authErrors},
		{Method: "POST", Path: "/api/webhooks", Tag: "webhooks", Auth: anyLogin,
			Summary: "Add a webhook; a generic one's signing secret is in the answer, once.",
			Body:    webhookBody, Status: 201,
			Result: Schema{"allOf": []any{ref("Webhook"), object("secret", str("Generic webhooks: the signing secret, shown once."))}},
			Errors: bodyErrors},
		{Method: "GET", Path: "/api/webhooks/:id", Tag: "webhooks", Auth: anyLogin, Summary: "One webhook.",
			Status: 200, Result: ref("Webhook"), Errors: idErrors},
		{Method: "PATCH", Path: "/api/webhooks/:id", Tag: "webhooks", Auth: anyLogin, Summary: "Change some fields of a webhook.",
			Body: webhookBody, Status: 200, Result: ref("Webhook"), Errors: append(bodyErrors, http.StatusNotFound)},
		{Method: "DELETE", Path: "/api/webhooks/:id", Tag: "webhooks", Auth: anyLogin, Summary: "Delete a webhook and its log.",
			Status: 200, Result: okResult, Errors: idErrors},
		{Method: "POST", Path: "/api/webhooks/:id/test", Tag: "webhooks", Auth: anyLogin,
			Summary: "Send a sample delivery now.", Status: 200, Result: object("delivery!", ref("Delivery")), Errors: idErrors},
		{Method: "POST", Path: "/api/webhooks/:id/rotate-secret", Tag: "webhooks", Auth: anyLogin,
			Summary: "Replace a generic webhook's signing secret; the new one is shown once.",
			Status:  200, Result: object("id!", uuidStr(""), "secret!", str("")), Errors: append(idErrors, http.StatusBadRequest)},
		{Method: "GET", Path: "/api/webhooks/:id/deliveries", Tag: "webhooks", Auth: anyLogin,
			Summary: "A webhook's delivery log, newest first.",
			Query: []Param{
				{"status", "pending, delivered or failed.", oneOf("pending", "delivered", "failed")},
				{"limit", "1 to 200.", integer("")},
				{"cursor", "next_cursor of the previous page.", str("")},
			},
			Status: 200, Result: object("deliveries!", array(ref("Delivery")), "next_cursor", str("")),
			Errors: append(idErrors, http.StatusBadRequest)},
	}
}

func channelOperations() []Operation {
	channel, member := ref("Channel"), ref("Member")
	return []Operation{
		{Method: "POST", Path: "/api/channels", Tag: "channels", Auth: anyLogin, Summary: "Create a channel; the caller owns it.",
			Body: object("name!", str(""), "description", str("")), Status: 201, Result: channel,
			Errors: append(bodyErrors, http.StatusConflict)},
		{Method: "GET", Path: "/api/channels", Tag: "channels", Auth: anyLogin, Summary: "Every channel.",
			Status: 200, Result: object("channels!", array(channel)), Errors: authErrors},
		{Method: "GET", Path: "/api/channels/:id", Tag: "channels", Auth: anyLogin, Summary: "One channel.",
			Status: 200, Result: channel, Errors: idErrors},
		{Method: "PATCH", Path: "/api/channels/:id", Tag: "channels", Auth: anyLogin, Summary: "Rename or describe a channel.",
			Body: object("name", str(""), "description", str("")), Status: 200, Result: channel,
			Errors: append(bodyErrors, http.StatusNotFound, http.StatusConflict)},
		{Method: "DELETE", Path: "/api/channels/:id", Tag: "channels", Auth: anyLogin, Summary: "Delete a channel (owner).",
			Status: 200, Result: okResult, Errors: idErrors},
		{Method: "POST", Path: "/api/channels/:id/join", Tag: "channels", Auth: anyLogin, Summary: "Join a channel.",
			Status: 200, Result: member, Errors: idErrors},
		{Method: "POST", Path: "/api/channels/:id/leave", Tag: "channels", Auth: anyLogin, Summary: "Leave a channel.",
			Status: 200, Result: okResult, Errors: idErrors},
		{Method: "GET", Path: "/api/channels/:id/members", Tag: "channels", Auth: anyLogin, Summary: "A channel's members.",
			Status: 200, Result: object("members!", array(member)), Errors: idErrors},
		{Method: "PUT", Path: "/api/channels/:id/members/:user_id/role", Tag: "channels", Auth: anyLogin,
			Summary: "Change a member's role.", Body: object("role!", oneOf("owner", "admin", "moderator", "member")),
			Status: 200, Result: member, Errors: append(bodyErrors, http.StatusNotFound)},
		{Method: "POST", Path: "/api/channels/:id/kick", Tag: "channels", Auth: anyLogin, Summary: "Remove a member.",
			Body: object("user_id!", uuidStr("")), Status: 200, Result: okResult, Errors: append(bodyErrors, http.StatusNotFound)},
		{Method: "POST", Path: "/api/channels/:id/bans", Tag: "channels", Auth: anyLogin, Summary: "Ban a user from a channel.",
			Body: object("user_id!", uuidStr(""), "motive", str("")), Status: 201, Result: ref("Ban"),
			Errors: append(bodyErrors, http.StatusNotFound)},
		{Method: "DELETE", Path: "/api/channels/:id/bans/:user_id", Tag: "channels", Auth: anyLogin, Summary: "Lift a ban.",
			Status: 200, Result: okResult, Errors: idErrors},
		{Method: "GET", Path: "/api/channels/:id/messages", Tag: "channels", Auth: anyLogin, Summary: "Message history, newest first.",
			Query:  []Param{{"cursor", "next_cursor of the previous page.", str("")}, {"limit", "Page size.", integer("")}},
			Status: 200, Result: object("messages!", array(ref("Message")), "next_cursor!", nullable(str(""))),
			Errors: append(idErrors, http.StatusBadRequest)},
		{Method: "POST", Path: "/api/channels/:id/messages", Tag: "channels", Auth: anyLogin, Summary: "Post a message or a reply.",
			Body: object("content!", str(""), "parent_message_id", uuidStr("")), Status: 201, Result: ref("Message"),
			Errors: append(bodyErrors, http.StatusNotFound)},
		{Method: "PATCH", Path: "/api/channels/:id/messages/:message_id", Tag: "channels", Auth: anyLogin,
			Summary: "Edit a message.", Body: object("content!", str("")), Status: 200, Result: ref("Message"),
			Errors: append(bodyErrors, http.StatusNotFound)},
		{Method: "DELETE", Path: "/api/channels/:id/messages/:message_id", Tag: "channels", Auth: anyLogin,
			Summary: "Delete a message.", Status: 200, Result: okResult, Errors: idErrors},
	}
}
