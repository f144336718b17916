package api

import "net/http"

// Credentials accepted by the routes (Operation.Auth).
var (
	anyLogin  = []string{"session", "token"}
	tokenOnly = []string{"token"}
)

// Error statuses shared by many routes.
var (
	authErrors = []int{http.StatusUnauthorized, http.StatusForbidden}
	bodyErrors = []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestEntityTooLarge}
	idErrors   = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound}
)

var okResult = object("ok!", boolean("Always true."))

// Operations returns every described route, core and capabilities alike.
func Operations() []Operation {
	var ops []Operation
	for _, group := range [][]Operation{coreOperations(), pollingOperations(), webhookOperations(), channelOperations()} {
		ops = append(ops, group...)
	}
	return ops
}

// coreOperations are the routes of this package.
func coreOperations() []Operation {
	return []Operation{
		{Method: "GET", Path: "/healthz", Tag: "health", Summary: "The process is up.", Status: 200,
			Result: object("status!", str("ok"))},
		{Method: "GET", Path: "/readyz", Tag: "health", Summary: "The database answers; 503 while shutting down.", Status: 200,
			Result: object("status!", str("ok"), "version!", str("The running build.")), Errors: []int{http.StatusServiceUnavailable}},
		{Method: "POST", Path: "/login", Tag: "session",
			Summary: "Log in with a form or JSON {username, password, next}; sets the session cookie. Forms are redirected (303) to next.",
			Body:    object("username!", str(""), "password!", str(""), "next", str("Where a form login goes afterwards.")),
			Status:  200, Result: object("id!", uuidStr(""), "username!", str("")), Errors: []int{400, 401, 413}},
		{Method: "POST", Path: "/logout", Tag: "session", Summary: "End the session and clear its cookie.", Status: 200, Result: okResult},
		{Method: "GET", Path: OpenAPIPath, Tag: "meta", Summary: "This document.", Status: 200, Result: freeObject("OpenAPI 3 document.")},

		{Method: "POST", Path: "/api/v1/events", Tag: "events", Auth: tokenOnly,
			Summary: "Publish an event (publish or admin token) to its recipients' inboxes and webhooks.",
			Body:    ref("Event"), Status: 202,
			Result: object("notifications!", array(object("id!", uuidStr(""), "user_id!", uuidStr(""))),
				"webhooks!", integer("Webhook deliveries queued.")),
			Errors: []int{400, 401, 403, 404, 413}},
		{Method: "GET", Path: "/api/v1/me", Tag: "events", Auth: anyLogin, Summary: "Who the caller is.", Status: 200,
			Result: object("id!", uuidStr(""), "username!", str(""), "is_admin!", boolean("")), Errors: authErrors},

		{Method: "GET", Path: "/api/notifications", Tag: "notifications", Auth: anyLogin,
			Summary: "The caller's notifications, newest first.",
			Query: []Param{
				{"page", "Page number, from 1.", integer("")},
				{"limit", "Results per page (default 20).", integer("")},
				{"unread_only", "1 or true: unread notifications only.", str("")},
			},
			Status: 200, Result: object("notifications!", array(ref("Notification")), "unreadCount!", integer(""),
				"page!", integer(""), "limit!", integer("")),
			Errors: []int{400, 401, 403}},
		{Method: "DELETE", Path: "/api/notifications", Tag: "notifications", Auth: anyLogin,
			Summary: "Delete every read notification of the caller.", Status: 200, Result: okResult, Errors: authErrors},
		{Method: "POST", Path: "/api/notifications/read-all", Tag: "notifications", Auth: anyLogin,
			Summary: "Mark all of the caller's notifications read.", Status: 200, Result: object("updated!", integer("")), Errors: authErrors},
		{Method: "PATCH", Path: "/api/notifications/read-all", Tag: "notifications", Auth: anyLogin,
			Summary: "Same as POST.", Status: 200, Result: object("updated!", integer("")), Errors: authErrors},
		{Method: "PATCH", Path: "/api/notifications/:id/read", Tag: "notifications", Auth: anyLogin,
			Summary: "Mark one notification read.", Status: 200, Result: object("success!", boolean("")), Errors: idErrors},
		{Method: "DELETE", Path: "/api/notifications/:id", Tag: "notifications", Auth: anyLogin,
			Summary: "Delete one notification.", Status: 200, Result: okResult, Errors: idErrors},
		{Method: "GET", Path: "/api/notifications/preferences", Tag: "notifications", Auth: anyLogin,
			Summary: "In-app and toast preference of every type (TYPE and TYPE_toast keys).", Status: 200,
			Result: Schema{"type": "object", "additionalProperties": boolean("")}, Errors: authErrors},
		{Method: "PUT", Path: "/api/notifications/preferences", Tag: "notifications", Auth: anyLogin,
			Summary: "Change some preferences; keys not given keep their value.",
			Body:    Schema{"type": "object", "additionalProperties": boolean("")}, Status: 200, Result: okResult, Errors: bodyErrors},
		{Method: "GET", Path: "/api/notifications/mutes", Tag: "notifications", Auth: anyLogin,
			Summary: "The caller's object mutes.", Status: 200, Result: object("mutes!", array(ref("Mute"))), Errors: authErrors},
		{Method: "POST", Path: "/api/notifications/mutes", Tag: "notifications", Auth: anyLogin,
			Summary: "Mute an object's notifications, until valid_till or forever.",
			Body: object("app_label!", str(""), "model_name!", str(""), "object_id!", str(""),
				"valid_till", nullable(when("Null: forever."))),
			Status: 201, Result: ref("Mute"), Errors: append(bodyErrors, http.StatusConflict)},
		{Method: "DELETE", Path: "/api/notifications/mutes/:id", Tag: "notifications", Auth: anyLogin,
			Summary: "Unmute.", Status: 200, Result: okResult, Errors: idErrors},

		{Method: "GET", Path: "/api/tokens", Tag: "tokens", Auth: anyLogin,
			Summary: "The caller's API tokens (session or admin token).", Status: 200,
			Result: object("tokens!", array(ref("Token"))), Errors: authErrors},
		{Method: "POST", Path: "/api/tokens", Tag: "tokens", Auth: anyLogin,
			Summary: "Create a token; its secret is in the answer, once.",
			Body:    object("name", str(""), "scope!", oneOf("client", "publish", "admin")), Status: 201,
			Result: Schema{"allOf": []any{ref("Token"), object("token!", str("The secret, shown once."))}}, Errors: bodyErrors},
		{Method: "DELETE", Path: "/api/tokens/:id", Tag: "tokens", Auth: anyLogin,
			Summary: "Revoke a token.", Status: 200, Result: okResult, Errors: idErrors},

		{Method: "GET", Path: "/api/users", Tag: "users", Auth: anyLogin, Summary: "Every user (admins only).", Status: 200,
			Result: object("users!", array(ref("User"))), Errors: authErrors},
		{Method: "POST", Path: "/api/users", Tag: "users", Auth: anyLogin, Summary: "Create a user (admins only).",
			Body:   object("username!", str(""), "password!", str("At least 8 characters."), "is_admin", boolean("")),
			Status: 201, Result: ref("User"), Errors: append(bodyErrors, http.StatusConflict)},
		{Method: "PUT", Path: "/api/users/:id/password", Tag: "users", Auth: anyLogin, Summary: "Set a user's password (admins only).",
			Body: object("password!", str("")), Status: 200, Result: okResult, Errors: append(bodyErrors, http.StatusNotFound)},
		{Method: "DELETE", Path: "/api/users/:id", Tag: "users", Auth: anyLogin,
			Summary: "Delete a user and everything they own (admins only).", Status: 200, Result: okResult, Errors: idErrors},
	}
}

// componentSchemas are the shared schemas of the document.
var componentSchemas = map[string]Schema{
	"Error": object("error!", object("code!", str("Machine-readable, e.g. NOTIFICATION_NOT_FOUND."),
		"message!", str("A sentence for a person."))),
	"ObjectRef": object("app_label!", str(""), "model_name!", str(""), "object_id!", str("")),
	"Event": object("type!", str("A built-in or configured notification type, e.g. job_failed."),
		"title!", str("At most 256 bytes."), "body", str("Plain text or Markdown."),
		"level", oneOf("info", "warning", "error"), "data", freeObject("Stored with the notification."),
		"target_url", str("An http(s) URL or a path."), "email_subject", str(""),
		"service_id", str(""), "project", str(""), "object", ref("ObjectRef"),
		"users", array(str("Recipients by username; [\"*\"] for everyone (admins only)."))),
	"Notification": object("id!", uuidStr(""), "user_id!", uuidStr(""), "type!", str(""), "title!", str(""),
		"body!", str(""), "data!", freeObject(""), "is_read!", boolean(""), "created_at!", when("")),
	"Mute": object("id!", uuidStr(""), "app_label!", str(""), "model_name!", str(""), "object_id!", str(""),
		"valid_till!", nullable(when("Null: forever.")), "created_at!", when("")),
	"Token": object("id!", uuidStr(""), "name!", str(""), "scope!", oneOf("client", "publish", "admin"),
		"created_at!", when(""), "last_used_at", nullable(when(""))),
	"User": object("id!", uuidStr(""), "username!", str(""), "is_admin!", boolean(""), "created_at!", when("")),
	"PolledNotification": object("id!", uuidStr(""), "type!", str(""), "level!", oneOf("info", "warning", "error"),
		"title!", str(""), "body!", str(""), "data!", freeObject(""), "target_url!", nullable(str("")),
		"service_id!", nullable(str("")), "project!", nullable(str("")), "status!", oneOf("pending", "acknowledged"),
		"acknowledged_at!", nullable(when("")), "is_read!", boolean(""), "created_at!", when("")),
	"Webhook": object("id!", uuidStr(""), "name!", str(""), "kind!", oneOf("discord", "slack", "ntfy", "generic"),
		"url!", str("Redacted: secrets in the path or query are masked."), "events!", array(str("e.g. job.failed")),
		"enabled!", boolean(""), "disabled_reason", str(""), "auth!", str(""), "auth_username", str(""),
		"signed!", boolean(""), "created_at!", when(""), "updated_at!", when("")),
	"Delivery": object("id!", uuidStr(""), "webhook_id!", uuidStr(""), "notification_id", uuidStr(""), "event!", str(""),
		"status!", oneOf("pending", "delivered", "failed"), "attempts!", integer(""), "next_attempt_at", when(""),
		"last_error", str(""), "response_code", integer(""), "duration_ms!", integer(""),
		"created_at!", when(""), "updated_at!", when("")),
	"Channel": object("id!", uuidStr(""), "name!", str(""), "description!", str(""), "created_by!", nullable(uuidStr("")),
		"member_count!", integer(""), "last_seq", integer(""), "role!", nullable(str("The caller's role; null when not a member.")),
		"created_at!", when(""), "updated_at!", when("")),
	"Member": object("user_id!", uuidStr(""), "username!", nullable(str("")),
		"role!", oneOf("owner", "admin", "moderator", "member"), "joined_at!", when("")),
	"Ban": object("channel_id!", uuidStr(""), "user_id!", uuidStr(""), "banned_by!", nullable(uuidStr("")),
		"motive!", str(""), "created_at!", when("")),
	"Message": object("id!", uuidStr(""), "channel_id!", uuidStr(""), "user_id!", nullable(uuidStr("")),
		"username!", nullable(str("")), "parent_message_id!", nullable(uuidStr("")), "content!", str(""),
		"seq!", integer(""), "created_at!", when(""), "edited_at!", nullable(when(""))),
}
