package ui

import (
	"net/http"
	"slices"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// routingPage is the content of the routing page (administrators) and of
// its partials: every route, and the users a route may name.
type routingPage struct {
	Routes  []routeRow
	Choices []userChoice // the new-route form's, none ticked
	Saved   *app.Route   // the route just saved, for a confirmation
}

// routeRow is one route with the choices of its change form.
type routeRow struct {
	*app.Route
	Choices []userChoice
}

// userChoice is one user of a route form.
type userChoice struct {
	Name    string
	Checked bool
}

func (u *UI) loadRouting(c *gin.Context) (routingPage, error) {
	ctx := c.Request.Context()
	rs, err := u.d.Routes.ListRoutes(ctx)
	if err != nil {
		return routingPage{}, err
	}
	us, err := u.d.Users.ListUsers(ctx)
	if err != nil {
		return routingPage{}, err
	}
	choices := func(ticked []string) []userChoice {
		out := make([]userChoice, 0, len(us))
		for _, usr := range us {
			out = append(out, userChoice{Name: usr.Username, Checked: slices.Contains(ticked, usr.Username)})
		}
		return out
	}
	v := routingPage{Choices: choices(nil)}
	for _, r := range rs {
		v.Routes = append(v.Routes, routeRow{Route: r, Choices: choices(r.Users)})
	}
	return v, nil
}

func (u *UI) handleRoutingPage(c *gin.Context) {
	v, err := u.loadRouting(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.page(c, http.StatusOK, "routing", "Routing", v)
}

// saveRoute stores the route the form describes.
func (u *UI) saveRoute(c *gin.Context) (*app.Route, error) {
	f, err := form(c)
	if err != nil {
		return nil, err
	}
	r := &app.Route{Topic: f.Get("topic"), Users: f["users"]}
	if len(r.Users) == 0 && app.ValidateTopic(strings.TrimSpace(r.Topic)) == nil {
		return nil, app.Errorf(app.EINVALID, "Tick at least one person to route %q to.", strings.TrimSpace(r.Topic))
	}
	return r, u.d.Routes.PutRoute(c.Request.Context(), r)
}

// handleCreateRoute routes a topic from the new-route form (replacing its
// route if it had one): a confirmation in the form's result area and the
// new list out of band.
func (u *UI) handleCreateRoute(c *gin.Context) {
	r, err := u.saveRoute(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	v, err := u.loadRouting(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	v.Saved = r
	u.partial(c, http.StatusOK, "routing", "route_saved", v)
}

// handleChangeRoute changes a route's users from its row; the list is
// swapped in and the confirmation flashed.
func (u *UI) handleChangeRoute(c *gin.Context) {
	r, err := u.saveRoute(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.flash(c, alertView{Kind: "success", Message: routeSummary(r), AutoHide: true})
	u.routeList(c)
}

// handleDeleteRoute stops routing a topic and answers with the list.
func (u *UI) handleDeleteRoute(c *gin.Context) {
	if err := u.d.Routes.DeleteRoute(c.Request.Context(), c.Param("topic")); err != nil {
		u.fail(c, err)
		return
	}
	u.routeList(c)
}

func (u *UI) routeList(c *gin.Context) {
	v, err := u.loadRouting(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "routing", "route_list", v)
}

// routeSummary says where a route sends its topic.
func routeSummary(r *app.Route) string {
	return "“" + r.Topic + "” goes to " + strings.Join(r.Users, ", ") + "."
}
