package webhook

import (
	"net/http"

	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// handleCreate is POST /api/webhooks (an Input) → 201 with the webhook, its
// full URL and, for generic webhooks, the signing secret shown this once.
func (a *API) handleCreate(c *gin.Context) {
	var in Input
	if err := web.DecodeJSON(c, &in, web.Limit(maxBodyBytes)); err != nil {
		web.WriteError(c, err)
		return
	}
	w, secret, err := a.hooks.Create(c.Request.Context(), web.UserFrom(c).ID, in)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, createdView{webhookView: viewWebhook(w), URL: w.URL, Secret: secret})
}

// handleList is GET /api/webhooks: the caller's webhooks, oldest first.
func (a *API) handleList(c *gin.Context) {
	ws, err := a.hooks.List(c.Request.Context(), web.UserFrom(c).ID)
	if err != nil {
		web.WriteError(c, err)
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
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	w, err := a.hooks.Get(c.Request.Context(), web.UserFrom(c).ID, id)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewWebhook(w))
}

// handleUpdate is PATCH /api/webhooks/:id (Changes): absent fields keep
// their value, the kind cannot change, and re-enabling a webhook clears the
// reason it was disabled for.
func (a *API) handleUpdate(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	var ch Changes
	if err := web.DecodeJSON(c, &ch, web.Limit(maxBodyBytes)); err != nil {
		web.WriteError(c, err)
		return
	}
	w, err := a.hooks.Update(c.Request.Context(), web.UserFrom(c).ID, id, ch)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewWebhook(w))
}

// handleDelete is DELETE /api/webhooks/:id; its delivery log goes with it.
func (a *API) handleDelete(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	if _, err := a.hooks.Delete(c.Request.Context(), web.UserFrom(c).ID, id); err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

// handleRotateSecret is POST /api/webhooks/:id/rotate-secret → the new
// signing secret of a generic webhook, shown this once. The old one stops
// working at once, retries included.
func (a *API) handleRotateSecret(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	w, secret, err := a.hooks.RotateSecret(c.Request.Context(), web.UserFrom(c).ID, id)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": w.ID, "secret": secret})
}
