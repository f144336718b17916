package webhook

import (
	"net/http"

	"github.com/belfry/belfry/app/web"
)

// Doc describes the webhook routes for the OpenAPI document.
func (a *API) Doc() web.Doc {
	return web.Doc{Operations: operations(), Schemas: map[string]web.Schema{
		"Webhook": web.Object("id!", web.UUID(""), "name!", web.Str(""), "kind!", web.Enum("discord", "slack", "ntfy", "generic"),
			"url!", web.Str("Redacted: secrets in the path or query are masked."), "events!", web.Array(web.Str("e.g. job.failed")),
			"enabled!", web.Bool(""), "disabled_reason", web.Str(""), "auth!", web.Str(""), "auth_username", web.Str(""),
			"signed!", web.Bool(""), "follows_quiet_hours!", web.Bool("Quiet hours hold its deliveries."), "created_at!", web.Time(""), "updated_at!", web.Time("")),
		"Delivery": web.Object("id!", web.UUID(""), "webhook_id!", web.UUID(""), "notification_id", web.UUID(""), "event!", web.Str(""),
			"status!", web.Enum("pending", "delivered", "failed"), "attempts!", web.Int(""), "next_attempt_at", web.Time(""),
			"last_error", web.Str(""), "response_code", web.Int(""), "duration_ms!", web.Int(""),
			"created_at!", web.Time(""), "updated_at!", web.Time("")),
	}}
}

func operations() []web.Operation {
	webhookBody := web.Object("name", web.Str(""), "kind!", web.Enum("discord", "slack", "ntfy", "generic"), "url!", web.Str(""),
		"events!", web.Array(web.Str("Webhook events, e.g. job.failed.")), "enabled", web.Bool(""),
		"follows_quiet_hours", web.Bool("Default true: the owner's quiet hours hold its deliveries."),
		"auth_username", web.Str("ntfy basic auth."), "auth_password", web.Str(""), "auth_token", web.Str("ntfy access token."))
	return []web.Operation{
		{Method: "GET", Path: "/api/webhooks", Tag: "webhooks", Auth: web.AnyLogin, Summary: "The caller's webhooks.",
			Status: 200, Result: web.Object("webhooks!", web.Array(web.Ref("Webhook"))), Errors: web.AuthErrors},
		{Method: "POST", Path: "/api/webhooks", Tag: "webhooks", Auth: web.AnyLogin,
			Summary: "Add a webhook; a generic one's signing secret is in the answer, once.",
			Body:    webhookBody, Status: 201,
			Result: web.Schema{"allOf": []any{web.Ref("Webhook"), web.Object("secret", web.Str("Generic webhooks: the signing secret, shown once."))}},
			Errors: web.BodyErrors},
		{Method: "GET", Path: "/api/webhooks/:id", Tag: "webhooks", Auth: web.AnyLogin, Summary: "One webhook.",
			Status: 200, Result: web.Ref("Webhook"), Errors: web.IDErrors},
		{Method: "PATCH", Path: "/api/webhooks/:id", Tag: "webhooks", Auth: web.AnyLogin, Summary: "Change some fields of a webhook.",
			Body: webhookBody, Status: 200, Result: web.Ref("Webhook"), Errors: append(web.BodyErrors, http.StatusNotFound)},
		{Method: "DELETE", Path: "/api/webhooks/:id", Tag: "webhooks", Auth: web.AnyLogin, Summary: "Delete a webhook and its log.",
			Status: 200, Result: web.OKResult, Errors: web.IDErrors},
		{Method: "POST", Path: "/api/webhooks/:id/test", Tag: "webhooks", Auth: web.AnyLogin,
			Summary: "Send a sample delivery now.", Status: 200, Result: web.Object("delivery!", web.Ref("Delivery")), Errors: web.IDErrors},
		{Method: "POST", Path: "/api/webhooks/:id/rotate-secret", Tag: "webhooks", Auth: web.AnyLogin,
			Summary: "Replace a generic webhook's signing secret; the new one is shown once.",
			Status:  200, Result: web.Object("id!", web.UUID(""), "secret!", web.Str("")), Errors: append(web.IDErrors, http.StatusBadRequest)},
		{Method: "GET", Path: "/api/webhooks/:id/deliveries", Tag: "webhooks", Auth: web.AnyLogin,
			Summary: "A webhook's delivery log, newest first.",
			Query: []web.Param{
				{Name: "status", Description: "pending, delivered or failed.", Schema: web.Enum("pending", "delivered", "failed")},
				{Name: "limit", Description: "1 to 200.", Schema: web.Int("")},
				{Name: "cursor", Description: "next_cursor of the previous page.", Schema: web.Str("")},
			},
			Status: 200, Result: web.Object("deliveries!", web.Array(web.Ref("Delivery")), "next_cursor", web.Str("")),
			Errors: append(web.IDErrors, http.StatusBadRequest)},
	}
}
