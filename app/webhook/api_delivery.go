package webhook

import (
	"net/http"
	"strconv"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/web"
	"github.com/gin-gonic/gin"
)

// handleTest is POST /api/webhooks/:id/test: one sample delivery, sent now,
// whose outcome (delivered or failed, with the receiver's answer) is the
// response and a new entry of the delivery log.
func (a *API) handleTest(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	_, d, err := a.hooks.Test(c.Request.Context(), web.UserFrom(c), id)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"delivery": viewDelivery(d)})
}

// handleDeliveries is GET /api/webhooks/:id/deliveries?status&limit&cursor:
// the delivery log, newest first; next_cursor continues it.
func (a *API) handleDeliveries(c *gin.Context) {
	id, ok := web.PathID(c, "id")
	if !ok {
		return
	}
	if _, err := web.Query(c); err != nil {
		web.WriteError(c, err)
		return
	}
	f := app.DeliveryFilter{WebhookID: id, Limit: 50, Status: c.Query("status"), Before: c.Query("cursor")}
	switch f.Status {
	case "", app.DeliveryPending, app.DeliveryDelivered, app.DeliveryFailed:
	default:
		web.WriteError(c, app.Errorf(app.EINVALID, "Parameter status must be pending, delivered or failed."))
		return
	}
	if f.Before != "" {
		var err error
		if f.Before, err = app.ParseID(f.Before); err != nil {
			web.WriteError(c, app.Errorf(app.EINVALID, "Parameter cursor must be the id of a delivery."))
			return
		}
	}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			web.WriteError(c, app.Errorf(app.EINVALID, "Parameter limit must be a number from 1 to 200."))
			return
		}
		f.Limit = n
	}
	ds, err := a.hooks.Deliveries(c.Request.Context(), web.UserFrom(c).ID, f)
	if err != nil {
		web.WriteError(c, err)
		return
	}
	views := make([]deliveryView, 0, len(ds))
	for _, d := range ds {
		views = append(views, viewDelivery(d))
	}
	res := gin.H{"deliveries": views}
	if len(ds) == f.Limit {
		res["next_cursor"] = ds[len(ds)-1].ID
	}
	c.JSON(http.StatusOK, res)
}
