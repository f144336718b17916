package api

import (
	"net/http"

	"github.com/belfry/belfry/app/web"
)

// Doc describes the JSON API's routes for the OpenAPI document.
func (s *Server) Doc() web.Doc {
	return web.Doc{Operations: operations(), Schemas: map[string]web.Schema{
		"ObjectRef": web.Object("app_label!", web.Str(""), "model_name!", web.Str(""), "object_id!", web.Str("")),
		"Event": web.Object("type!", web.Str("A built-in or configured notification type, e.g. job_failed."),
			"title!", web.Str("At most 256 bytes."), "body", web.Str("Plain text or Markdown."),
			"level", web.Enum("info", "warning", "error"), "data", web.FreeObject("Stored with the notification."),
			"target_url", web.Str("An http(s) URL or a path."), "email_subject", web.Str(""),
			"service_id", web.Str(""), "project", web.Str(""), "object", web.Ref("ObjectRef"),
			"users", web.Array(web.Str("Recipients by username; [\"*\"] for everyone (admins only)."))),
		"Notification": web.Object("id!", web.UUID(""), "user_id!", web.UUID(""), "type!", web.Str(""), "title!", web.Str(""),
			"body!", web.Str(""), "data!", web.FreeObject(""), "is_read!", web.Bool(""), "created_at!", web.Time("")),
		"Mute": web.Object("id!", web.UUID(""), "app_label!", web.Str(""), "model_name!", web.Str(""), "object_id!", web.Str(""),
			"valid_till!", web.Nullable(web.Time("Null: forever.")), "created_at!", web.Time("")),
		"Token": web.Object("id!", web.UUID(""), "name!", web.Str(""), "scope!", web.Enum("client", "publish", "admin"),
			"created_at!", web.Time(""), "last_used_at", web.Nullable(web.Time(""))),
		"User": web.Object("id!", web.UUID(""), "username!", web.Str(""), "is_admin!", web.Bool(""), "email!", web.Str("The address e-mail notifications go to; \"\" for none."), "created_at!", web.Time("")),
	}}
}

func operations() []web.Operation {
	return []web.Operation{
		{Method: "GET", Path: "/healthz", Tag: "health", Summary: "The process is up.", Status: 200,
			Result: web.Object("status!", web.Str("ok"))},
		{Method: "GET", Path: "/readyz", Tag: "health", Summary: "The database answers; 503 while shutting down.", Status: 200,
			Result: web.Object("status!", web.Str("ok"), "version!", web.Str("The running build.")), Errors: []int{http.StatusServiceUnavailable}},
		{Method: "POST", Path: "/login", Tag: "session",
			Summary: "Log in with a form or JSON {username, password, next}; sets the session cookie. Forms are redirected (303) to next. " +
				"429 after too many attempts from one address or failures for one username, 503 when too many passwords are being checked; both with Retry-After.",
			Body:   web.Object("username!", web.Str(""), "password!", web.Str(""), "next", web.Str("Where a form login goes afterwards.")),
			Status: 200, Result: web.Object("id!", web.UUID(""), "username!", web.Str("")), Errors: []int{400, 401, 413, 429, 503}},
		{Method: "POST", Path: "/logout", Tag: "session", Summary: "End the session and clear its cookie.", Status: 200, Result: web.OKResult},

		{Method: "POST", Path: "/api/v1/events", Tag: "events", Auth: web.TokenOnly,
			Summary: "Publish an event (publish or admin token) to its recipients' inboxes and webhooks.",
			Body:    web.Ref("Event"), Status: 202,
			Result: web.Object("notifications!", web.Array(web.Object("id!", web.UUID(""), "user_id!", web.UUID(""))),
				"webhooks!", web.Int("Webhook deliveries queued.")),
			Errors: []int{400, 401, 403, 404, 413}},
		{Method: "GET", Path: "/api/v1/me", Tag: "events", Auth: web.AnyLogin, Summary: "Who the caller is.", Status: 200,
			Result: web.Object("id!", web.UUID(""), "username!", web.Str(""), "is_admin!", web.Bool(""),
				"temporary_password!", web.Bool("True while the password was set by someone else (printed at the first start, or an administrator's reset).")),
			Errors: web.AuthErrors},
		{Method: "PUT", Path: "/api/v1/me/password", Tag: "users", Auth: web.AnyLogin,
			Summary: "Change your own password (a session or an admin token): the current one, and a new one of at least 8 characters that differs from it. " +
				"Your other browser sessions end, the one that asked stays; API tokens stay valid. A wrong current password is 400 and counts against the login limits (429 with Retry-After).",
			Body:   web.Object("current_password!", web.Str(""), "password!", web.Str("At least 8 characters.")),
			Status: 200, Result: web.OKResult, Errors: append(web.BodyErrors, http.StatusTooManyRequests, http.StatusServiceUnavailable)},

		{Method: "GET", Path: "/api/notifications", Tag: "notifications", Auth: web.AnyLogin,
			Summary: "The caller's notifications, newest first.",
			Query: []web.Param{
				{Name: "page", Description: "Page number, from 1.", Schema: web.Int("")},
				{Name: "limit", Description: "Results per page (default 20).", Schema: web.Int("")},
				{Name: "unread_only", Description: "1 or true: unread notifications only.", Schema: web.Str("")},
				{Name: "q", Description: "Search: notifications whose title or body contains this text (at most 200 bytes, ASCII letters in either case).", Schema: web.Str("")},
				{Name: "level", Description: "info, warning or error.", Schema: web.Str("")},
				{Name: "type", Description: "A notification type.", Schema: web.Str("")},
				{Name: "service_id", Description: "The service_id the event carried.", Schema: web.Str("")},
				{Name: "project", Description: "The project the event carried.", Schema: web.Str("")},
				{Name: "read", Description: "read, unread or all (default).", Schema: web.Str("")},
				{Name: "before", Description: "Only notifications created before this RFC 3339 time; a date YYYY-MM-DD means that day (UTC) and older.", Schema: web.Str("")},
				{Name: "cursor", Description: "The next_cursor of the previous page: the page after it, as fast at any depth (not with page > 1).", Schema: web.Str("")},
			},
			Status: 200, Result: web.Object("notifications!", web.Array(web.Ref("Notification")), "unreadCount!", web.Int(""),
				"page!", web.Int(""), "limit!", web.Int(""), "next_cursor!", web.Nullable(web.Str("The cursor of the next page; null on the last."))),
			Errors: []int{400, 401, 403}},
		{Method: "DELETE", Path: "/api/notifications", Tag: "notifications", Auth: web.AnyLogin,
			Summary: "Delete every read notification of the caller.", Status: 200, Result: web.OKResult, Errors: web.AuthErrors},
		{Method: "POST", Path: "/api/notifications/read-all", Tag: "notifications", Auth: web.AnyLogin,
			Summary: "Mark all of the caller's notifications read.", Status: 200, Result: web.Object("updated!", web.Int("")), Errors: web.AuthErrors},
		{Method: "PATCH", Path: "/api/notifications/read-all", Tag: "notifications", Auth: web.AnyLogin,
			Summary: "Same as POST.", Status: 200, Result: web.Object("updated!", web.Int("")), Errors: web.AuthErrors},
		{Method: "PATCH", Path: "/api/notifications/:id/read", Tag: "notifications", Auth: web.AnyLogin,
			Summary: "Mark one notification read.", Status: 200, Result: web.Object("success!", web.Bool("")), Errors: web.IDErrors},
		{Method: "DELETE", Path: "/api/notifications/:id", Tag: "notifications", Auth: web.AnyLogin,
			Summary: "Delete one notification.", Status: 200, Result: web.OKResult, Errors: web.IDErrors},
		{Method: "GET", Path: "/api/notifications/preferences", Tag: "notifications", Auth: web.AnyLogin,
			Summary: "In-app and toast preference of every type (TYPE and TYPE_toast keys).", Status: 200,
			Result: web.Schema{"type": "object", "additionalProperties": web.Bool("")}, Errors: web.AuthErrors},
		{Method: "PUT", Path: "/api/notifications/preferences", Tag: "notifications", Auth: web.AnyLogin,
			Summary: "Change some preferences; keys not given keep their value.",
			Body:    web.Schema{"type": "object", "additionalProperties": web.Bool("")}, Status: 200, Result: web.OKResult, Errors: web.BodyErrors},
		{Method: "GET", Path: "/api/notifications/mutes", Tag: "notifications", Auth: web.AnyLogin,
			Summary: "The caller's object mutes.", Status: 200, Result: web.Object("mutes!", web.Array(web.Ref("Mute"))), Errors: web.AuthErrors},
		{Method: "POST", Path: "/api/notifications/mutes", Tag: "notifications", Auth: web.AnyLogin,
			Summary: "Mute an object's notifications, until valid_till or forever.",
			Body: web.Object("app_label!", web.Str(""), "model_name!", web.Str(""), "object_id!", web.Str(""),
				"valid_till", web.Nullable(web.Time("Null: forever."))),
			Status: 201, Result: web.Ref("Mute"), Errors: append(web.BodyErrors, http.StatusConflict)},
		{Method: "DELETE", Path: "/api/notifications/mutes/:id", Tag: "notifications", Auth: web.AnyLogin,
			Summary: "Unmute.", Status: 200, Result: web.OKResult, Errors: web.IDErrors},

		{Method: "GET", Path: "/api/tokens", Tag: "tokens", Auth: web.AnyLogin,
			Summary: "The caller's API tokens (session or admin token).", Status: 200,
			Result: web.Object("tokens!", web.Array(web.Ref("Token"))), Errors: web.AuthErrors},
		{Method: "POST", Path: "/api/tokens", Tag: "tokens", Auth: web.AnyLogin,
			Summary: "Create a token; its secret is in the answer, once.",
			Body:    web.Object("name", web.Str(""), "scope!", web.Enum("client", "publish", "admin")), Status: 201,
			Result: web.Schema{"allOf": []any{web.Ref("Token"), web.Object("token!", web.Str("The secret, shown once."))}}, Errors: web.BodyErrors},
		{Method: "DELETE", Path: "/api/tokens/:id", Tag: "tokens", Auth: web.AnyLogin,
			Summary: "Revoke a token.", Status: 200, Result: web.OKResult, Errors: web.IDErrors},

		{Method: "GET", Path: "/api/users", Tag: "users", Auth: web.AnyLogin, Summary: "Every user (admins only).", Status: 200,
			Result: web.Object("users!", web.Array(web.Ref("User"))), Errors: web.AuthErrors},
		{Method: "POST", Path: "/api/users", Tag: "users", Auth: web.AnyLogin, Summary: "Create a user (admins only).",
			Body:   web.Object("username!", web.Str(""), "password!", web.Str("At least 8 characters."), "is_admin", web.Bool("")),
			Status: 201, Result: web.Ref("User"), Errors: append(web.BodyErrors, http.StatusConflict)},
		{Method: "PUT", Path: "/api/users/:id/password", Tag: "users", Auth: web.AnyLogin, Summary: "Set a user's password (admins only).",
			Body: web.Object("password!", web.Str("")), Status: 200, Result: web.OKResult, Errors: append(web.BodyErrors, http.StatusNotFound)},
		{Method: "DELETE", Path: "/api/users/:id", Tag: "users", Auth: web.AnyLogin,
			Summary: "Delete a user and everything they own (admins only).", Status: 200, Result: web.OKResult, Errors: web.IDErrors},
	}
}
