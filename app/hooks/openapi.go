package hooks

import (
	"net/http"

	"github.com/belfry/belfry/app/web"
)

// Doc describes the hook and mapping routes for the OpenAPI document.
func (s *Service) Doc() web.Doc {
	hookAuth := web.TokenOnly
	query := []web.Param{
		{Name: "token", Description: "The publish token, for senders that cannot set an Authorization header.", Schema: web.Str("")},
		{Name: "topic", Description: "The notifications' service_id and the key of an admin's route; without it the hook's name.", Schema: web.Str("")},
		{Name: "type", Description: "A notification type; without it the built-in message type.", Schema: web.Str("")},
	}
	errs := []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestEntityTooLarge}
	result := web.Ref("HookResult")
	hook := func(method, path, summary string, body web.Schema) web.Operation {
		return web.Operation{Method: method, Path: path, Tag: "hooks", Auth: hookAuth, Query: query, Summary: summary,
			Body: body, Status: http.StatusAccepted, Result: result, Errors: errs}
	}
	alerts := web.Object("receiver", web.Str(""), "status", web.Enum("firing", "resolved"),
		"alerts!", web.Array(web.Object("status!", web.Enum("firing", "resolved"), "labels", web.FreeObject(""),
			"annotations", web.FreeObject(""), "startsAt", web.Time(""), "endsAt", web.Time(""),
			"generatorURL", web.Str(""), "fingerprint", web.Str("Without one, the labels tell the alert."))),
		"externalURL", web.Str(""), "groupKey", web.Str(""))
	mapping := web.Object("title", web.Str("text/template"), "body", web.Str("text/template"),
		"level", web.Str("text/template printing info, warning or error"), "type", web.Str("text/template"),
		"url", web.Str("text/template"), "markdown", web.Bool("The body is Markdown."),
		"sample", web.FreeObject("JSON like the sender posts; the templates are tried on it."))
	return web.Doc{
		Operations: []web.Operation{
			hook("POST", "/api/v1/hooks/alertmanager", "Prometheus Alertmanager's webhook: firing alerts are published, resolved ones mark theirs resolved.", alerts),
			hook("POST", "/api/v1/hooks/grafana", "Grafana alerting's webhook contact point (as Alertmanager's).", alerts),
			hook("PUT", "/api/v1/hooks/grafana", "The same, for a contact point set to PUT.", alerts),
			hook("POST", "/api/v1/hooks/github", "A GitHub webhook (JSON or form), by X-GitHub-Event; X-Hub-Signature-256 is checked when the token has a secret.", web.FreeObject("The event's payload.")),
			hook("POST", "/api/v1/hooks/custom", "Any JSON, rendered by the token's custom mapping.", web.FreeObject("Any JSON.")),
			{Method: "GET", Path: "/api/tokens/:id/mapping", Tag: "tokens", Auth: web.AnyLogin, Summary: "A token's custom mapping (session or admin token).",
				Status: http.StatusOK, Result: web.Ref("TokenMapping"), Errors: web.IDErrors},
			{Method: "PUT", Path: "/api/tokens/:id/mapping", Tag: "tokens", Auth: web.AnyLogin,
				Summary: "Set a token's custom mapping and signing secret; the templates are tried on the sample.",
				Body:    web.Schema{"allOf": []any{mapping, web.Object("secret", web.Nullable(web.Str("Signs requests (X-Hub-Signature-256); null keeps it, \"\" removes it.")))}},
				Status:  http.StatusOK, Result: web.Ref("TokenMapping"), Errors: append(web.BodyErrors, http.StatusNotFound)},
			{Method: "DELETE", Path: "/api/tokens/:id/mapping", Tag: "tokens", Auth: web.AnyLogin, Summary: "Remove a token's mapping and secret.",
				Status: http.StatusOK, Result: web.OKResult, Errors: web.IDErrors},
		},
		Schemas: map[string]web.Schema{
			"HookResult": web.Object("notifications!", web.Array(web.Object("id!", web.UUID(""), "user_id!", web.UUID(""))),
				"webhooks!", web.Int("Webhook deliveries queued."),
				"resolved", web.Array(web.Object("id!", web.UUID(""), "user_id!", web.UUID(""))),
				"repeated", web.Int("Firing alerts already in the inbox."),
				"ignored", web.Str("Why nothing was published (ping, an event Belfry does not notify).")),
			"TokenMapping": web.Schema{"allOf": []any{mapping, web.Object("token_id!", web.UUID(""), "has_secret!", web.Bool(""),
				"updated_at!", web.Time(""), "preview", web.Object("title", web.Str(""), "body", web.Str(""),
					"level", web.Enum("info", "warning", "error"), "type", web.Str(""), "target_url", web.Str("")))}},
		},
	}
}
