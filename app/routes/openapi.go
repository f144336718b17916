package routes

import (
	"net/http"

	"github.com/belfry/belfry/app/web"
)

// Doc describes the routing API for the OpenAPI document.
func (a *API) Doc() web.Doc {
	admin := []int{http.StatusUnauthorized, http.StatusForbidden}
	withTopic := append([]int{http.StatusBadRequest, http.StatusNotFound}, admin...)
	return web.Doc{Schemas: map[string]web.Schema{
		"Route": web.Object("topic!", web.Str("An ntfy topic, a Gotify application (the publishing token's name) or a hook's name."),
			"users!", web.Array(web.Str("Recipients by username, in username order."))),
	}, Operations: []web.Operation{
		{Method: "GET", Path: "/api/v1/routes", Tag: "routes", Auth: web.AnyLogin, Summary: "Every topic route (administrators).",
			Status: 200, Result: web.Object("routes!", web.Array(web.Ref("Route"))), Errors: admin},
		{Method: "GET", Path: "/api/v1/routes/:topic", Tag: "routes", Auth: web.AnyLogin, Summary: "One topic's route (administrators).",
			Status: 200, Result: web.Ref("Route"), Errors: withTopic},
		{Method: "PUT", Path: "/api/v1/routes/:topic", Tag: "routes", Auth: web.AnyLogin,
			Summary: "Route a topic to existing users, replacing its route (administrators).",
			Body:    web.Object("users!", web.Array(web.Str("Usernames, 1 to 1000."))), Status: 200, Result: web.Ref("Route"),
			Errors: web.BodyErrors},
		{Method: "DELETE", Path: "/api/v1/routes/:topic", Tag: "routes", Auth: web.AnyLogin,
			Summary: "Stop routing a topic (administrators).", Status: 200, Result: web.OKResult, Errors: withTopic},
	}}
}
