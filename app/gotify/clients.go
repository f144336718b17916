package gotify

import (
	"cmp"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
)

// handleCurrentUser is GET /current/user: the caller. The Android app
// calls it with the username and password to check them before it
// creates its client, and with its client token when it starts.
func (g *Gotify) handleCurrentUser(c *gin.Context) {
	u := callerOf(c).user
	n, err := g.d.Numbers.UserNumber(c.Request.Context(), u.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, userView{ID: n, Name: u.Username, Admin: u.IsAdmin, CreatedAt: u.CreatedAt.UTC()})
}

// handleCreateClient is POST /client {"name"}: the app's login. It
// creates a Belfry client token named name for the caller and answers
// Gotify's client JSON with the token, shown this once.
func (g *Gotify) handleCreateClient(c *gin.Context) {
	name, err := clientName(c)
	if err != nil {
		writeError(c, err)
		return
	}
	ctx := c.Request.Context()
	u := callerOf(c).user
	secret, t, err := g.d.Credentials.CreateToken(ctx, u.ID, name, app.ScopeClient)
	if err != nil {
		writeError(c, err)
		return
	}
	n, err := g.d.Numbers.TokenNumber(ctx, t.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, clientView{ID: n, Token: secret, Name: t.Name, CreatedAt: t.CreatedAt.UTC(), LastUsed: t.LastUsedAt})
}

// clientName reads the name of POST /client from a JSON body, a form or
// the query string, as Gotify does. Errors: EINVALID.
func clientName(c *gin.Context) (string, error) {
	body, err := readBody(c)
	if err != nil {
		return "", err
	}
	var name string
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch mt {
	case "application/json":
		var p struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			return "", app.Errorf(app.EINVALID, "The body is not a JSON object {\"name\": …}.")
		}
		name = p.Name
	case "application/x-www-form-urlencoded", "":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return "", app.Errorf(app.EINVALID, "The form could not be parsed.")
		}
		name = form.Get("name")
	default:
		return "", app.Errorf(app.EINVALID, "Send the client as JSON or as a form, not %s.", mt)
	}
	if name == "" {
		name = c.Query("name")
	}
	if strings.TrimSpace(name) == "" {
		return "", app.Errorf(app.EINVALID, "Field 'name' is required.")
	}
	return name, nil
}

// clientTokens returns the caller's client tokens, by token id, with
// their numbers.
func (g *Gotify) clientTokens(c *gin.Context) ([]*app.Token, map[string]int64, error) {
	ctx := c.Request.Context()
	u := callerOf(c).user
	all, err := g.d.Credentials.ListTokens(ctx, u.ID)
	if err != nil {
		return nil, nil, err
	}
	numbers, err := g.d.Numbers.TokenNumbers(ctx, u.ID)
	if err != nil {
		return nil, nil, err
	}
	clients := slices.DeleteFunc(all, func(t *app.Token) bool { return t.Scope != app.ScopeClient || numbers[t.ID] == 0 })
	slices.SortFunc(clients, func(a, b *app.Token) int { return cmp.Compare(numbers[a.ID], numbers[b.ID]) })
	return clients, numbers, nil
}

// handleListClients is GET /client: the caller's client tokens. Belfry
// keeps only their hashes, so a token's secret is shown only for the one
// the request came with: that is how the app finds its own client when it
// logs out (and then deletes it).
func (g *Gotify) handleListClients(c *gin.Context) {
	clients, numbers, err := g.clientTokens(c)
	if err != nil {
		writeError(c, err)
		return
	}
	who := callerOf(c)
	out := make([]clientView, 0, len(clients))
	for _, t := range clients {
		v := clientView{ID: numbers[t.ID], Name: t.Name, CreatedAt: t.CreatedAt.UTC(), LastUsed: t.LastUsedAt}
		if who.token != nil && who.token.ID == t.ID {
			v.Token = who.secret
		}
		out = append(out, v)
	}
	c.JSON(http.StatusOK, out)
}

// handleDeleteClient is DELETE /client/:id: revokes the caller's client
// token numbered id, which closes its streams. Another user's client, or
// a token of another scope, is not found.
func (g *Gotify) handleDeleteClient(c *gin.Context) {
	n, err := pathNumber(c, "client")
	if err != nil {
		writeError(c, err)
		return
	}
	clients, numbers, err := g.clientTokens(c)
	if err != nil {
		writeError(c, err)
		return
	}
	i := slices.IndexFunc(clients, func(t *app.Token) bool { return numbers[t.ID] == n })
	if i < 0 {
		writeError(c, app.Errorf(app.ENOTFOUND, "Client %d does not exist.", n))
		return
	}
	if err := g.d.Credentials.RevokeToken(c.Request.Context(), callerOf(c).user.ID, clients[i].ID); err != nil {
		writeError(c, err)
		return
	}
	answerDeleted(c)
}
