package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/webhook"
	"github.com/gin-gonic/gin"
)

// webhookForm is what the add and edit forms send. Auth is the ntfy
// authentication: "none", "basic" or "token", and on the edit form "keep".
type webhookForm struct {
	Kind, Name, URL string
	Events          []string
	Auth            string
	Username        string
	Password        string
	Token           string
}

func readWebhookForm(f url.Values) webhookForm {
	return webhookForm{
		Kind: strings.TrimSpace(f.Get("kind")), Name: strings.TrimSpace(f.Get("name")), URL: strings.TrimSpace(f.Get("url")),
		Events: f["events"], Auth: f.Get("auth"), Username: strings.TrimSpace(f.Get("auth_username")),
		Password: f.Get("auth_password"), Token: strings.TrimSpace(f.Get("auth_token")),
	}
}

// applyAuth sets w's ntfy credentials from the form. Other kinds have none:
// their hidden ntfy fields are ignored. No choice means none on the add
// form and keep on the edit form; on an edit an empty password or token
// keeps the stored one when the mode stays the same.
func (wf webhookForm) applyAuth(w *app.Webhook, editing bool) error {
	if w.Kind != app.WebhookNtfy {
		w.AuthUsername, w.AuthPassword, w.AuthToken = "", "", ""
		return nil
	}
	was, mode := w.AuthMode(), wf.Auth
	if mode == "" && editing {
		mode = "keep"
	}
	switch mode {
	case "keep":
		if !editing {
			return app.Errorf(app.EINVALID, "Choose how Belfry signs in to ntfy: no authentication, username and password, or an access token.")
		}
	case "", "none":
		w.AuthUsername, w.AuthPassword, w.AuthToken = "", "", ""
	case "basic":
		if wf.Username == "" {
			return app.Errorf(app.EINVALID, "Enter the ntfy username.")
		}
		if wf.Password == "" && !(editing && was == "basic") {
			return app.Errorf(app.EINVALID, "Enter the ntfy password.")
		}
		if wf.Password != "" {
			w.AuthPassword = wf.Password
		}
		w.AuthUsername, w.AuthToken = wf.Username, ""
	case "token":
		if wf.Token == "" && !(editing && was == "token") {
			return app.Errorf(app.EINVALID, "Enter the ntfy access token.")
		}
		if wf.Token != "" {
			w.AuthToken = wf.Token
		}
		w.AuthUsername, w.AuthPassword = "", ""
	default:
		return app.Errorf(app.EINVALID, "Authentication must be none, basic or token, not %q.", wf.Auth)
	}
	return nil
}

// checkWebhook validates w against the known events and, when its URL
// changed, checks where the URL points (webhooks.allow_private).
func (u *UI) checkWebhook(ctx context.Context, w *app.Webhook, urlChanged bool) error {
	if err := w.Validate(u.d.Types.WebhookEvents()); err != nil {
		return err
	}
	if urlChanged {
		return webhook.CheckTarget(ctx, w.URL, u.d.Config.Webhooks.AllowPrivate)
	}
	return nil
}

// hostName names a webhook that was given no name after its URL's host.
func hostName(raw string) string {
	if p, err := url.Parse(raw); err == nil {
		return p.Hostname()
	}
	return ""
}

// handleCreateWebhook adds a webhook. It answers the form's result area
// with a confirmation — for a generic webhook its signing secret, shown
// this once — and swaps in the new list; a bad form gets the alert.
func (u *UI) handleCreateWebhook(c *gin.Context) {
	f, err := form(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	ctx, usr, wf := c.Request.Context(), user(c), readWebhookForm(f)
	w := &app.Webhook{UserID: usr.ID, Name: wf.Name, Kind: app.WebhookKind(wf.Kind), URL: wf.URL, Events: wf.Events, Enabled: true}
	if err := wf.applyAuth(w, false); err != nil {
		u.failInline(c, err)
		return
	}
	if err := u.checkWebhook(ctx, w, true); err != nil {
		u.failInline(c, err)
		return
	}
	if w.Name == "" {
		w.Name = hostName(w.URL)
	}
	existing, err := u.d.Webhooks.ListWebhooks(ctx, usr.ID)
	if err == nil && len(existing) >= app.MaxWebhooksPerUser {
		err = app.Errorf(app.EINVALID, "You already have %d webhooks, the most allowed.", app.MaxWebhooksPerUser)
	}
	if err == nil && w.Kind == app.WebhookGeneric {
		w.Secret, err = webhook.NewSecret()
	}
	if err == nil {
		err = u.d.Webhooks.CreateWebhook(ctx, w)
	}
	if err != nil {
		u.failInline(c, err)
		return
	}
	v, err := u.loadWebhooks(c)
	if err != nil {
		u.failInline(c, err)
		return
	}
	created := viewWebhook(w)
	v.Created, v.Secret = &created, w.Secret
	u.partial(c, http.StatusOK, "webhooks", "webhook_created", v)
}

// handleUpdateWebhook saves the edit form of one webhook and answers with
// its card. An empty URL keeps the stored one (the page only knows it
// redacted); the kind cannot change.
func (u *UI) handleUpdateWebhook(c *gin.Context) {
	w, ok := u.webhookOf(c)
	if !ok {
		return
	}
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	wf := readWebhookForm(f)
	if wf.Kind != "" && wf.Kind != string(w.Kind) {
		u.fail(c, app.Errorf(app.EINVALID, "The kind of a webhook cannot change; add a new webhook instead."))
		return
	}
	urlChanged := wf.URL != "" && wf.URL != w.URL
	if wf.URL != "" {
		w.URL = wf.URL
	}
	w.Name, w.Events = wf.Name, wf.Events
	err = wf.applyAuth(w, true)
	if err == nil {
		err = u.checkWebhook(c.Request.Context(), w, urlChanged)
	}
	if w.Name == "" {
		w.Name = hostName(w.URL)
	}
	if err == nil {
		err = u.d.Webhooks.UpdateWebhook(c.Request.Context(), w)
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	u.flash(c, alertView{Kind: "success", Message: fmt.Sprintf("Webhook %s saved.", w.Name), AutoHide: true})
	u.card(c, w, nil)
}
