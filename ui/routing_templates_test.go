package ui

import "github.com/belfry/belfry/app"

// routingRenderCases renders the routing page and its partials with
// hostile topics and usernames.
func routingRenderCases(usr *app.User) []renderCase {
	saved := &app.Route{Topic: hostile, Users: []string{hostile, "bob"}}
	v := routingPage{
		Routes:  []routeRow{{Route: saved, Choices: []userChoice{{Name: hostile, Checked: true}, {Name: "bob", Checked: true}, {Name: "carol"}}}},
		Choices: []userChoice{{Name: hostile}, {Name: "bob"}, {Name: "carol"}},
		Saved:   saved,
	}
	page := func(content any) renderCase {
		return renderCase{"routing", "layout", layoutView{Title: "Routing", User: usr, Nav: navFor(usr, "/admin/routing"), Content: content}}
	}
	return []renderCase{
		page(v),
		page(routingPage{Choices: v.Choices}),
		{"routing", "route_saved", v},
		{"routing", "route_list", v},
		{"routing", "route_rows", v},
		{"routing", "route_users", v.Choices},
	}
}
