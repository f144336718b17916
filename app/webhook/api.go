package webhook

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/api"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// maxBodyBytes bounds a webhook request body.
const maxBodyBytes = 16 << 10

// API serves /api/webhooks: a user's webhooks, their test sends and their
// delivery logs. It is safe for concurrent use.
type API struct {
	d     Deps
	hooks *Service
}

// NewAPI returns the webhook API over d; worker makes the test sends.
func NewAPI(d Deps, worker *Worker) *API {
	d = d.withDefaults()
	return &API{d: d, hooks: NewService(d, worker)}
}

// Register adds the routes to r behind authenticate (the API server's
// Authenticate). Managing webhooks needs a browser session or an admin
// token: a webhook receives every future event, so a leaked client or
// publish token must not be able to add one.
func (a *API) Register(r *gin.Engine, authenticate gin.HandlerFunc) {
	g := r.Group("/api/webhooks", api.CrossOriginGuard(a.d.Config.Server.BaseURL), authenticate, api.RequireUser())
	g.GET("", a.handleList)
	g.POST("", a.handleCreate)
	g.GET("/:id", a.handleGet)
	g.PATCH("/:id", a.handleUpdate)
	g.DELETE("/:id", a.handleDelete)
	g.POST("/:id/test", a.handleTest)
	g.POST("/:id/rotate-secret", a.handleRotateSecret)
	g.GET("/:id/deliveries", a.handleDeliveries)
}

// decodeBody reads one JSON object of at most maxBodyBytes into v, refusing
// unknown fields. Errors are EINVALID or ETOOLARGE.
func decodeBody(c *gin.Context, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var (
		tooLarge *http.MaxBytesError
		typ      *json.UnmarshalTypeError
	)
	switch {
	case err == nil:
		if dec.More() {
			return app.Errorf(app.EINVALID, "Request body must hold a single JSON object.")
		}
		return nil
	case errors.As(err, &tooLarge):
		return app.Errorf(app.ETOOLARGE, "Request body is larger than %d KiB.", maxBodyBytes>>10)
	case errors.Is(err, io.EOF):
		return app.Errorf(app.EINVALID, "Request body is empty; send a JSON object.")
	case errors.As(err, &typ) && typ.Field != "":
		return app.Errorf(app.EINVALID, "Field %s has the wrong type.", typ.Field)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return app.Errorf(app.EINVALID, "Unknown field %s.", name)
	}
	return app.Errorf(app.EINVALID, "Request body is not a valid JSON object.")
}

// idParam returns the :id parameter, lower-cased; when it is not a UUID it
// has written the error. Another user's webhook is not found by the
// service, like a missing one.
func idParam(c *gin.Context) (string, bool) {
	id := c.Param("id")
	if uuid.Validate(id) != nil || len(id) != 36 {
		api.WriteError(c, app.Errorf(app.EINVALID, "Parameter id must be a UUID."))
		return "", false
	}
	return strings.ToLower(id), true
}
