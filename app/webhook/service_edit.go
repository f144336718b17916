package webhook

import (
	"context"
	"net/url"

	"github.com/belfry/belfry/app"
)

// Input is a new webhook. Its JSON names are those of the body of
// POST /api/webhooks.
type Input struct {
	Name   string          `json:"name"` // "": the URL's host
	Kind   app.WebhookKind `json:"kind"`
	URL    string          `json:"url"`
	Events []string        `json:"events"`
	// Enabled nil means enabled.
	Enabled *bool `json:"enabled"`
	// FollowsQuietHours nil means true: quiet hours hold its deliveries.
	FollowsQuietHours *bool `json:"follows_quiet_hours"`
	// The ntfy credentials: a username and password, or a token.
	AuthUsername string `json:"auth_username"`
	AuthPassword string `json:"auth_password"`
	AuthToken    string `json:"auth_token"`
}

// Changes change a webhook: a nil field keeps its value. Kind cannot
// change; it may be given if it is the webhook's. Its JSON names are those
// of the body of PATCH /api/webhooks/:id.
type Changes struct {
	Name    *string          `json:"name"` // "": the URL's host
	Kind    *app.WebhookKind `json:"kind"`
	URL     *string          `json:"url"`
	Events  *[]string        `json:"events"`
	Enabled *bool            `json:"enabled"` // true also clears the reason it was off
	// FollowsQuietHours false delivers inside its owner's quiet hours too.
	FollowsQuietHours *bool   `json:"follows_quiet_hours"`
	AuthUsername      *string `json:"auth_username"`
	AuthPassword      *string `json:"auth_password"`
	AuthToken         *string `json:"auth_token"`
}

// Create adds a webhook for the user and returns it with its signing
// secret: a fresh one for a generic webhook, shown this once, "" for the
// other kinds. The webhook must be valid against the known events, its URL
// must not point at a private network unless webhooks.allow_private (and,
// with webhooks.private_admins_only, the user is an admin), and a
// user has at most app.MaxWebhooksPerUser webhooks; each refusal is
// EINVALID.
func (s *Service) Create(ctx context.Context, userID string, in Input) (*app.Webhook, string, error) {
	w := &app.Webhook{
		UserID: userID, Name: in.Name, Kind: in.Kind, URL: in.URL, Events: in.Events,
		Enabled: in.Enabled == nil || *in.Enabled, AuthUsername: in.AuthUsername,
		AuthPassword: in.AuthPassword, AuthToken: in.AuthToken,
		QuietExempt: in.FollowsQuietHours != nil && !*in.FollowsQuietHours,
	}
	if err := s.check(ctx, w, true); err != nil {
		return nil, "", err
	}
	existing, err := s.d.Store.ListWebhooks(ctx, userID)
	if err != nil {
		return nil, "", err
	}
	if len(existing) >= app.MaxWebhooksPerUser {
		return nil, "", app.Errorf(app.EINVALID, "You already have %d webhooks, the most allowed.", app.MaxWebhooksPerUser)
	}
	if w.Kind == app.WebhookGeneric {
		if w.Secret, err = NewSecret(); err != nil {
			return nil, "", err
		}
	}
	if err := s.d.Store.CreateWebhook(ctx, w); err != nil {
		return nil, "", err
	}
	return w, w.Secret, nil
}

// Update applies ch to the user's webhook id and returns it, checked as
// Create checks a new one (the URL's target only when the URL changed).
func (s *Service) Update(ctx context.Context, userID, id string, ch Changes) (*app.Webhook, error) {
	w, err := s.Get(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if ch.Kind != nil && *ch.Kind != w.Kind {
		return nil, app.Errorf(app.EINVALID, "Field kind cannot change; create a new webhook instead.")
	}
	urlChanged := ch.URL != nil && *ch.URL != w.URL
	set(&w.Name, ch.Name)
	set(&w.URL, ch.URL)
	set(&w.AuthUsername, ch.AuthUsername)
	set(&w.AuthPassword, ch.AuthPassword)
	set(&w.AuthToken, ch.AuthToken)
	if ch.Events != nil {
		w.Events = *ch.Events
	}
	if ch.Enabled != nil {
		enable(w, *ch.Enabled)
	}
	if ch.FollowsQuietHours != nil {
		w.QuietExempt = !*ch.FollowsQuietHours
	}
	if err := s.check(ctx, w, urlChanged); err != nil {
		return nil, err
	}
	if err := s.d.Store.UpdateWebhook(ctx, w); err != nil {
		return nil, err
	}
	return w, nil
}

// check validates w against the known events and, when its URL changed,
// where the URL points (webhooks.allow_private and private_admins_only,
// see privateRule). A valid webhook without a name is then named after its
// URL's host.
func (s *Service) check(ctx context.Context, w *app.Webhook, urlChanged bool) error {
	if err := w.Validate(s.d.Types.WebhookEvents()); err != nil {
		return err
	}
	if urlChanged {
		rule := privateRule(s.d.Config, s.d.ownerIsAdmin(ctx, w.UserID))
		if err := CheckTarget(ctx, w.URL, rule); err != nil {
			return err
		}
	}
	if w.Name == "" {
		w.Name = hostOf(w.URL)
	}
	return nil
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
