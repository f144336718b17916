package poll

import (
	"net/http"

	"github.com/belfry/belfry/app/web"
)

// Doc describes the polling routes for the OpenAPI document.
func (s *Server) Doc() web.Doc {
	return web.Doc{Operations: operations(), Schemas: map[string]web.Schema{
		"PolledNotification": web.Object("id!", web.UUID(""), "type!", web.Str(""), "level!", web.Enum("info", "warning", "error"),
			"title!", web.Str(""), "body!", web.Str(""), "data!", web.FreeObject(""), "target_url!", web.Nullable(web.Str("")),
			"service_id!", web.Nullable(web.Str("")), "project!", web.Nullable(web.Str("")), "status!", web.Enum("pending", "acknowledged"),
			"acknowledged_at!", web.Nullable(web.Time("")), "is_read!", web.Bool(""), "created_at!", web.Time("")),
	}}
}

func operations() []web.Operation {
	polled := web.Ref("PolledNotification")
	pollErrors := []int{400, 401, 403, 404, http.StatusTooManyRequests}
	return []web.Operation{
		{Method: "GET", Path: "/api/v1/client/notifications", Tag: "polling", Auth: web.TokenOnly,
			Summary: "Fetch notifications (client token), one page at a time; wait=N long-polls for new ones.",
			Query: []web.Param{
				{Name: "status", Description: "pending or acknowledged (default: all).", Schema: web.Enum("pending", "acknowledged")},
				{Name: "limit", Description: "Page size, 1 to 100 (default 50).", Schema: web.Int("")},
				{Name: "cursor", Description: "next_cursor of the previous page.", Schema: web.Str("")},
				{Name: "service_id", Description: "Only this service.", Schema: web.Str("")},
				{Name: "project", Description: "Only this project.", Schema: web.Str("")},
				{Name: "sort", Description: "newest (default) or oldest.", Schema: web.Enum("newest", "oldest")},
				{Name: "wait", Description: "Seconds to wait for new notifications (needs sort=oldest and a cursor).", Schema: web.Int("")},
			},
			Status: 200, Result: web.Object("notifications!", web.Array(polled), "pagination!", web.Object(
				"next_cursor!", web.Nullable(web.Str("")), "has_more!", web.Bool(""), "total_count!", web.Int(""))),
			Errors: []int{400, 401, 403, http.StatusTooManyRequests}},
		{Method: "GET", Path: "/api/v1/client/notifications/:id", Tag: "polling", Auth: web.TokenOnly,
			Summary: "Fetch one notification.", Status: 200, Result: polled, Errors: pollErrors},
		{Method: "POST", Path: "/api/v1/client/notifications/:id/acknowledge", Tag: "polling", Auth: web.TokenOnly,
			Summary: "Acknowledge a notification (also marks it read); 409 if already acknowledged.",
			Status:  200, Result: polled, Errors: append(pollErrors, http.StatusConflict)},
		{Method: "POST", Path: "/api/v1/client/notifications/acknowledge", Tag: "polling", Auth: web.TokenOnly,
			Summary: "Acknowledge several notifications; each id gets its own outcome.",
			Body:    web.Object("ids!", web.Array(web.UUID(""))), Status: 200,
			Result: web.Object("results!", web.Array(web.Object("id!", web.Str(""), "outcome!", web.Str("acknowledged, already_acknowledged, not_found…"))),
				"acknowledged!", web.Int("")),
			Errors: []int{400, 401, 403, 413, http.StatusTooManyRequests}},
	}
}
