package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// logPageSize is how many deliveries one page of the log shows.
const logPageSize = 10

// hookID returns the :id parameter of a webhook route; when it is
// malformed it has answered. Another user's webhook is not found by the
// webhook service, like a missing one.
func (u *UI) hookID(c *gin.Context) (string, bool) {
	return u.uuidParam(c, "id", "webhook")
}

// handleEnableWebhook pauses or resumes a webhook — the switch sends
// enabled=1 when on and nothing when off — and answers with its card.
// Resuming clears the reason it was disabled for (410 Gone); pausing fails
// its pending deliveries.
func (u *UI) handleEnableWebhook(c *gin.Context) {
	id, ok := u.hookID(c)
	if !ok {
		return
	}
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	on, err := switchedOn(f)
	if err != nil {
		u.fail(c, err)
		return
	}
	w, err := u.d.Webhooks.SetEnabled(c.Request.Context(), user(c).ID, id, on)
	if err != nil {
		u.fail(c, err)
		return
	}
	msg := "Webhook " + w.Name + " paused: it receives no events until you switch it on again."
	if w.Enabled {
		msg = "Webhook " + w.Name + " is on."
	}
	u.flash(c, alertView{Kind: "success", Message: msg, AutoHide: true})
	u.card(c, w, nil)
}

// switchedOn reads a switch's form: enabled=1 (or on, true) when on,
// nothing when off.
func switchedOn(f url.Values) (bool, error) {
	switch f.Get("enabled") {
	case "":
		return false, nil
	case "1", "on", "true":
		return true, nil
	}
	return false, app.Errorf(app.EINVALID, "enabled must be 1 or absent.")
}

// handleDeleteWebhook deletes a webhook with its delivery log (the page
// asked first) and answers with the list.
func (u *UI) handleDeleteWebhook(c *gin.Context) {
	id, ok := u.hookID(c)
	if !ok {
		return
	}
	w, err := u.d.Webhooks.Delete(c.Request.Context(), user(c).ID, id)
	if err != nil {
		u.fail(c, err)
		return
	}
	v, err := u.loadWebhooks(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.flash(c, alertView{Kind: "success", Message: "Webhook " + w.Name + " deleted.", AutoHide: true})
	u.partial(c, http.StatusOK, "webhooks", "webhook_list", v)
}

// handleTestWebhook sends a sample now and answers with the webhook's
// delivery log, opened, and the outcome in the flash area.
func (u *UI) handleTestWebhook(c *gin.Context) {
	id, ok := u.hookID(c)
	if !ok {
		return
	}
	w, d, err := u.d.Webhooks.Test(c.Request.Context(), user(c), id)
	if err != nil {
		u.fail(c, err)
		return
	}
	log, err := u.loadLog(c, w.ID, "")
	if err != nil {
		u.fail(c, err)
		return
	}
	row := deliveryRow{d}
	a := alertView{Kind: "success", Message: fmt.Sprintf("Test delivered to %s: %s.", w.Name, row.Outcome()), AutoHide: true}
	if d.Status != app.DeliveryDelivered {
		a = alertView{Kind: "error", Message: fmt.Sprintf("Test to %s failed: %s", w.Name, d.LastError)}
	}
	u.flash(c, a)
	u.partial(c, http.StatusOK, "webhooks", "webhook_log", webhookCard{Hook: viewWebhook(w), Log: log})
}

// secretView is a webhook's new signing secret, shown once.
type secretView struct {
	Hook   webhookView
	Secret string
}

// handleRotateWebhookSecret gives a generic webhook a new signing secret
// and shows it this once; the old one stops working at once.
func (u *UI) handleRotateWebhookSecret(c *gin.Context) {
	id, ok := u.hookID(c)
	if !ok {
		return
	}
	w, secret, err := u.d.Webhooks.RotateSecret(c.Request.Context(), user(c).ID, id)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "webhooks", "webhook_secret", secretView{Hook: viewWebhook(w), Secret: secret})
}

// handleWebhookDeliveries answers with a page of the delivery log: the
// newest, or with before=<delivery id> the older ones after it.
func (u *UI) handleWebhookDeliveries(c *gin.Context) {
	id, ok := u.hookID(c)
	if !ok {
		return
	}
	before := strings.ToLower(c.Query("before"))
	if before != "" && (len(before) != 36 || uuid.Validate(before) != nil) {
		u.fail(c, app.Errorf(app.EINVALID, "The log position %q is malformed.", c.Query("before")))
		return
	}
	log, err := u.loadLog(c, id, before)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "webhooks", "delivery_rows", log)
}

// loadLog reads a page of the user's webhook hookID's delivery log after
// the delivery before ("" for the newest).
func (u *UI) loadLog(c *gin.Context, hookID, before string) (*deliveryLog, error) {
	f := app.DeliveryFilter{WebhookID: hookID, Before: before, Limit: logPageSize + 1}
	ds, err := u.d.Webhooks.Deliveries(c.Request.Context(), user(c).ID, f)
	if err != nil {
		return nil, err
	}
	log := &deliveryLog{HookID: hookID, Continued: before != ""}
	for i, d := range ds {
		if i == logPageSize {
			log.More = "/ui/webhooks/" + hookID + "/deliveries?" + url.Values{"before": {ds[i-1].ID}}.Encode()
			break
		}
		log.Items = append(log.Items, deliveryRow{d})
	}
	return log, nil
}
