package schedule

import (
	"net/http"

	"github.com/belfry/belfry/app/web"
)

// Doc describes the scheduled delivery routes for the OpenAPI document.
func (s *Service) Doc() web.Doc {
	one := web.Ref("ScheduledEvent")
	return web.Doc{
		Operations: []web.Operation{
			{Method: "GET", Path: "/api/v1/events/scheduled", Tag: "events", Auth: web.AnyLogin,
				Summary: "The caller's scheduled events not yet delivered, earliest first (a session, a publish or an admin token).",
				Status:  http.StatusOK, Result: web.Object("scheduled!", web.Array(one)), Errors: web.AuthErrors},
			{Method: "DELETE", Path: "/api/v1/events/scheduled/:id", Tag: "events", Auth: web.AnyLogin,
				Summary: "Cancel one of the caller's scheduled events; 404 once it was delivered or cancelled.",
				Status:  http.StatusOK, Result: web.Object("cancelled!", one), Errors: append(web.IDErrors, http.StatusBadRequest)},
		},
		Schemas: map[string]web.Schema{
			"ScheduledEvent": web.Object("id!", web.UUID(""), "event!", web.Ref("Event"),
				"deliver_at!", web.Time("When it is delivered."), "created_at!", web.Time("When it was published.")),
		},
	}
}
