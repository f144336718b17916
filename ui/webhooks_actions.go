package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/webhook"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// logPageSize is how many deliveries one page of the log shows.
const logPageSize = 10

// handleEnableWebhook pauses or resumes a webhook — the switch sends
// enabled=1 when on and nothing when off — and answers with its card.
// Resuming clears the reason it was disabled for (410 Gone); pausing fails
// its pending deliveries.
func (u *UI) handleEnableWebhook(c *gin.Context) {
	w, ok := u.webhookOf(c)
	if !ok {
		return
	}
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	switch f.Get("enabled") {
	case "":
		w.Enabled = false
	case "1", "on", "true":
		w.Enabled, w.DisabledReason = true, ""
	default:
		u.fail(c, app.Errorf(app.EINVALID, "enabled must be 1 or absent."))
		return
	}
	if err := u.d.Webhooks.UpdateWebhook(c.Request.Context(), w); err != nil {
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

// handleDeleteWebhook deletes a webhook with its delivery log (the page
// asked first) and answers with the list.
func (u *UI) handleDeleteWebhook(c *gin.Context) {
	w, ok := u.webhookOf(c)
	if !ok {
		return
	}
	if err := u.d.Webhooks.DeleteWebhook(c.Request.Context(), w.UserID, w.ID); err != nil {
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
	w, ok := u.webhookOf(c)
	if !ok {
		return
	}
	d, err := u.d.WebhookTests.SendTest(c.Request.Context(), w, user(c))
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
	w, ok := u.webhookOf(c)
	if !ok {
		return
	}
	if w.Kind != app.WebhookGeneric {
		u.fail(c, app.Errorf(app.EINVALID, "Only generic webhooks are signed; a %s webhook has no secret.", kindLabel(w.Kind)))
		return
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		u.fail(c, err)
		return
	}
	w.Secret = secret
	if err := u.d.Webhooks.UpdateWebhook(c.Request.Context(), w); err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "webhooks", "webhook_secret", secretView{Hook: viewWebhook(w), Secret: secret})
}

// handleWebhookDeliveries answers with a page of the delivery log: the
// newest, or with before=<delivery id> the older ones after it.
func (u *UI) handleWebhookDeliveries(c *gin.Context) {
	w, ok := u.webhookOf(c)
	if !ok {
		return
	}
	before := strings.ToLower(c.Query("before"))
	if before != "" && (len(before) != 36 || uuid.Validate(before) != nil) {
		u.fail(c, app.Errorf(app.EINVALID, "The log position %q is malformed.", c.Query("before")))
		return
	}
	log, err := u.loadLog(c, w.ID, before)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.partial(c, http.StatusOK, "webhooks", "delivery_rows", log)
}

// loadLog reads a page of hookID's delivery log after the delivery before
// ("" for the newest).
func (u *UI) loadLog(c *gin.Context, hookID, before string) (*deliveryLog, error) {
	ds, err := u.d.Webhooks.ListDeliveries(c.Request.Context(), app.DeliveryFilter{WebhookID: hookID, Before: before, Limit: logPageSize + 1})
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
