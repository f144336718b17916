package ui

import (
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
// The form only translates into the webhook service's Input and Changes:
// the rules of a webhook are the service's.
type webhookForm struct {
	Kind, Name, URL string
	Events          []string
	Auth            string
	Username        string
	Password        string
	Token           string
	// FollowsQuiet is the "follow my quiet hours" checkbox, on both forms.
	FollowsQuiet bool
}

func readWebhookForm(f url.Values) webhookForm {
	return webhookForm{
		Kind: strings.TrimSpace(f.Get("kind")), Name: strings.TrimSpace(f.Get("name")), URL: strings.TrimSpace(f.Get("url")),
		Events: f["events"], Auth: f.Get("auth"), Username: strings.TrimSpace(f.Get("auth_username")),
		Password: f.Get("auth_password"), Token: strings.TrimSpace(f.Get("auth_token")),
		FollowsQuiet: f.Get("follows_quiet") != "",
	}
}

// credentials are the ntfy credentials the form sets; nil keeps the stored
// value.
type credentials struct {
	Username, Password, Token *string
}

// credentials reads the ntfy authentication of a webhook of kind: stored
// is the webhook being edited, nil on the add form. Other kinds have none:
// their hidden ntfy fields are ignored. No choice means none on the add
// form and keep on the edit form; on an edit an empty password or token
// keeps the stored one when the mode stays the same.
func (wf webhookForm) credentials(kind app.WebhookKind, stored *app.Webhook) (credentials, error) {
	none := ""
	cleared := credentials{Username: &none, Password: &none, Token: &none}
	if kind != app.WebhookNtfy {
		return cleared, nil
	}
	editing, was, mode := stored != nil, "none", wf.Auth
	if editing {
		was = stored.AuthMode()
		if mode == "" {
			mode = "keep"
		}
	}
	switch mode {
	case "keep":
		if !editing {
			return credentials{}, app.Errorf(app.EINVALID, "Choose how Belfry signs in to ntfy: no authentication, username and password, or an access token.")
		}
		return credentials{}, nil
	case "", "none":
		return cleared, nil
	case "basic":
		if wf.Username == "" {
			return credentials{}, app.Errorf(app.EINVALID, "Enter the ntfy username.")
		}
		if wf.Password == "" && was != "basic" {
			return credentials{}, app.Errorf(app.EINVALID, "Enter the ntfy password.")
		}
		c := credentials{Username: &wf.Username, Token: &none}
		if wf.Password != "" {
			c.Password = &wf.Password
		}
		return c, nil
	case "token":
		if wf.Token == "" && was != "token" {
			return credentials{}, app.Errorf(app.EINVALID, "Enter the ntfy access token.")
		}
		c := credentials{Username: &none, Password: &none}
		if wf.Token != "" {
			c.Token = &wf.Token
		}
		return c, nil
	}
	return credentials{}, app.Errorf(app.EINVALID, "Authentication must be none, basic or token, not %q.", wf.Auth)
}

// input is the add form as a new webhook, enabled.
func (wf webhookForm) input() (webhook.Input, error) {
	kind := app.WebhookKind(wf.Kind)
	cr, err := wf.credentials(kind, nil)
	if err != nil {
		return webhook.Input{}, err
	}
	return webhook.Input{
		Name: wf.Name, Kind: kind, URL: wf.URL, Events: wf.Events, FollowsQuietHours: &wf.FollowsQuiet,
		AuthUsername: value(cr.Username), AuthPassword: value(cr.Password), AuthToken: value(cr.Token),
	}, nil
}

// changes is the edit form of stored as changes: an empty URL keeps the
// stored one (the page only knows it redacted), an empty name is the URL's
// host, and an empty kind is the stored one.
func (wf webhookForm) changes(stored *app.Webhook) (webhook.Changes, error) {
	cr, err := wf.credentials(stored.Kind, stored)
	if err != nil {
		return webhook.Changes{}, err
	}
	ch := webhook.Changes{
		Name: &wf.Name, Events: &wf.Events, FollowsQuietHours: &wf.FollowsQuiet,
		AuthUsername: cr.Username, AuthPassword: cr.Password, AuthToken: cr.Token,
	}
	if wf.Kind != "" {
		kind := app.WebhookKind(wf.Kind)
		ch.Kind = &kind
	}
	if wf.URL != "" {
		ch.URL = &wf.URL
	}
	return ch, nil
}

func value(s *string) string {
	if s == nil {
		return ""
	}
	return *s
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
	in, err := readWebhookForm(f).input()
	if err != nil {
		u.failInline(c, err)
		return
	}
	w, secret, err := u.d.Webhooks.Create(c.Request.Context(), user(c).ID, in)
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
	v.Created, v.Secret = &created, secret
	u.partial(c, http.StatusOK, "webhooks", "webhook_created", v)
}

// handleUpdateWebhook saves the edit form of one webhook and answers with
// its card; the kind cannot change.
func (u *UI) handleUpdateWebhook(c *gin.Context) {
	id, ok := u.hookID(c)
	if !ok {
		return
	}
	ctx, usr := c.Request.Context(), user(c)
	stored, err := u.d.Webhooks.Get(ctx, usr.ID, id)
	if err != nil {
		u.fail(c, err)
		return
	}
	f, err := form(c)
	if err != nil {
		u.fail(c, err)
		return
	}
	ch, err := readWebhookForm(f).changes(stored)
	if err != nil {
		u.fail(c, err)
		return
	}
	w, err := u.d.Webhooks.Update(ctx, usr.ID, id, ch)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.flash(c, alertView{Kind: "success", Message: fmt.Sprintf("Webhook %s saved.", w.Name), AutoHide: true})
	u.card(c, w, nil)
}
