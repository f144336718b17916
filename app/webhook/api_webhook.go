package webhook

import (
	"net/http"
	"net/url"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
	"github.com/gin-gonic/gin"
)

// createRequest is the body of POST /api/webhooks.
type createRequest struct {
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	URL          string   `json:"url"`
	Events       []string `json:"events"`
	Enabled      *bool    `json:"enabled"`
	AuthUsername string   `json:"auth_username"`
	AuthPassword string   `json:"auth_password"`
	AuthToken    string   `json:"auth_token"`
}

// updateRequest is the body of PATCH /api/webhooks/:id: absent fields keep
// their value. The kind cannot change.
type updateRequest struct {
	Name         *string   `json:"name"`
	Kind         *string   `json:"kind"`
	URL          *string   `json:"url"`
	Events       *[]string `json:"events"`
	Enabled      *bool     `json:"enabled"`
	AuthUsername *string   `json:"auth_username"`
	AuthPassword *string   `json:"auth_password"`
	AuthToken    *string   `json:"auth_token"`
}

// validate checks w and, when its URL changed, where the URL points.
func (a *API) validate(c *gin.Context, w *app.Webhook, urlChanged bool) error {
	if err := w.Validate(a.d.Types.WebhookEvents()); err != nil {
		return err
	}
	if urlChanged {
		return CheckTarget(c.Request.Context(), w.URL, a.d.Config.Webhooks.AllowPrivate)
	}
	return nil
}

// handleCreate is POST /api/webhooks → 201 with the webhook, its full URL
// and, for generic webhooks, the signing secret shown this once.
func (a *API) handleCreate(c *gin.Context) {
	var req createRequest
	if err := decodeBody(c, &req); err != nil {
		api.WriteError(c, err)
		return
	}
	user := api.UserFrom(c)
	w := &app.Webhook{
		UserID: user.ID, Name: req.Name, Kind: app.WebhookKind(req.Kind), URL: req.URL, Events: req.Events,
		Enabled: req.Enabled == nil || *req.Enabled, AuthUsername: req.AuthUsername,
		AuthPassword: req.AuthPassword, AuthToken: req.AuthToken,
	}
	if err := a.validate(c, w, true); err != nil {
		api.WriteError(c, err)
		return
	}
	if w.Name == "" {
		w.Name = hostOf(w.URL)
	}
	ctx := c.Request.Context()
	existing, err := a.d.Store.ListWebhooks(ctx, user.ID)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	if len(existing) >= app.MaxWebhooksPerUser {
		api.WriteError(c, app.Errorf(app.EINVALID, "You already have %d webhooks, the most allowed.", app.MaxWebhooksPerUser))
		return
	}
	if w.Kind == app.WebhookGeneric {
		if w.Secret, err = NewSecret(); err != nil {
			api.WriteError(c, err)
			return
		}
	}
	if err := a.d.Store.CreateWebhook(ctx, w); err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, createdView{webhookView: viewWebhook(w), URL: w.URL, Secret: w.Secret})
}

// handleList is GET /api/webhooks: the caller's webhooks, oldest first.
func (a *API) handleList(c *gin.Context) {
	ws, err := a.d.Store.ListWebhooks(c.Request.Context(), api.UserFrom(c).ID)
	if err != nil {
		api.WriteError(c, err)
		return
	}
	views := make([]webhookView, 0, len(ws))
	for _, w := range ws {
		views = append(views, viewWebhook(w))
	}
	c.JSON(http.StatusOK, gin.H{"webhooks": views})
}

// handleGet is GET /api/webhooks/:id.
func (a *API) handleGet(c *gin.Context) {
	if w, ok := a.webhookOf(c); ok {
		c.JSON(http.StatusOK, viewWebhook(w))
	}
}

// handleUpdate is PATCH /api/webhooks/:id. Re-enabling a webhook clears the
// reason it was disabled for.
func (a *API) handleUpdate(c *gin.Context) {
	w, ok := a.webhookOf(c)
	if !ok {
		return
	}
	var req updateRequest
	if err := decodeBody(c, &req); err != nil {
		api.WriteError(c, err)
		return
	}
	if req.Kind != nil && *req.Kind != string(w.Kind) {
		api.WriteError(c, app.Errorf(app.EINVALID, "Field kind cannot change; create a new webhook instead."))
		return
	}
	urlChanged := req.URL != nil && *req.URL != w.URL
	set(&w.Name, req.Name)
	set(&w.URL, req.URL)
	set(&w.AuthUsername, req.AuthUsername)
	set(&w.AuthPassword, req.AuthPassword)
	set(&w.AuthToken, req.AuthToken)
	if req.Events != nil {
		w.Events = *req.Events
	}
	if req.Enabled != nil {
		w.Enabled = *req.Enabled
		if w.Enabled {
			w.DisabledReason = ""
		}
	}
	if err := a.validate(c, w, urlChanged); err != nil {
		api.WriteError(c, err)
		return
	}
	if err := a.d.Store.UpdateWebhook(c.Request.Context(), w); err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewWebhook(w))
}

// hostOf names a webhook that was given no name.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Hostname()
	}
	return ""
}

func set(field *string, v *string) {
	if v != nil {
		*field = *v
	}
}

// handleDelete is DELETE /api/webhooks/:id; its delivery log goes with it.
func (a *API) handleDelete(c *gin.Context) {
	w, ok := a.webhookOf(c)
	if !ok {
		return
	}
	if err := a.d.Store.DeleteWebhook(c.Request.Context(), w.UserID, w.ID); err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

// handleRotateSecret is POST /api/webhooks/:id/rotate-secret → the new
// signing secret of a generic webhook, shown this once. The old one stops
// working at once, retries included.
func (a *API) handleRotateSecret(c *gin.Context) {
	w, ok := a.webhookOf(c)
	if !ok {
		return
	}
	if w.Kind != app.WebhookGeneric {
		api.WriteError(c, app.Errorf(app.EINVALID, "Only generic webhooks are signed; a %s webhook has no secret.", w.Kind))
		return
	}
	secret, err := NewSecret()
	if err != nil {
		api.WriteError(c, err)
		return
	}
	w.Secret = secret
	if err := a.d.Store.UpdateWebhook(c.Request.Context(), w); err != nil {
		api.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": w.ID, "secret": secret})
}
