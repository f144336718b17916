package webhook

import (
	"context"

	"github.com/belfry/belfry/app"
)

// Service manages users' webhooks. It is the one place for the rules of
// creating, changing, pausing, deleting and testing a webhook, so the JSON
// API and the web UI cannot drift apart: they only translate their requests
// into its calls.
//
// Every method acts on the given user's webhooks only: another user's
// webhook is ENOTFOUND, exactly like a missing one, so ids cannot be probed.
// Errors are *app.Error (EINVALID for a refused change). A Service is safe
// for concurrent use.
type Service struct {
	d     Deps
	tests *Worker
}

// List returns the user's webhooks, oldest first.
func (s *Service) List(ctx context.Context, userID string) ([]*app.Webhook, error) {
	return s.d.Store.ListWebhooks(ctx, userID)
}

// Get returns the user's webhook id.
func (s *Service) Get(ctx context.Context, userID, id string) (*app.Webhook, error) {
	return s.d.Store.FindWebhook(ctx, userID, id)
}

// SetEnabled pauses (on = false) or resumes a webhook and returns it.
// Pausing fails its pending deliveries; resuming clears the reason it was
// switched off for (a 410 Gone from its receiver).
func (s *Service) SetEnabled(ctx context.Context, userID, id string, on bool) (*app.Webhook, error) {
	w, err := s.Get(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	enable(w, on)
	if err := s.d.Store.UpdateWebhook(ctx, w); err != nil {
		return nil, err
	}
	return w, nil
}

// enable sets whether w receives events; a resumed webhook no longer says
// why it was off.
func enable(w *app.Webhook, on bool) {
	w.Enabled = on
	if on {
		w.DisabledReason = ""
	}
}

// Delete removes the webhook with its delivery log and returns it as it
// was.
func (s *Service) Delete(ctx context.Context, userID, id string) (*app.Webhook, error) {
	w, err := s.Get(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if err := s.d.Store.DeleteWebhook(ctx, userID, id); err != nil {
		return nil, err
	}
	return w, nil
}

// RotateSecret gives a generic webhook a new signing secret and returns the
// webhook and the secret, to be shown this once. The old secret stops
// working at once, retries included. Other kinds are not signed: EINVALID.
func (s *Service) RotateSecret(ctx context.Context, userID, id string) (*app.Webhook, string, error) {
	w, err := s.Get(ctx, userID, id)
	if err != nil {
		return nil, "", err
	}
	if w.Kind != app.WebhookGeneric {
		return nil, "", app.Errorf(app.EINVALID, "Only generic webhooks are signed; a %s webhook has no secret.", w.Kind)
	}
	if w.Secret, err = NewSecret(); err != nil {
		return nil, "", err
	}
	if err := s.d.Store.UpdateWebhook(ctx, w); err != nil {
		return nil, "", err
	}
	return w, w.Secret, nil
}

// Test sends user's webhook id one sample delivery now and returns the
// webhook and the delivery, which is also added to its log. A receiver's
// error is an outcome (a failed delivery), not an error of Test.
func (s *Service) Test(ctx context.Context, user *app.User, id string) (*app.Webhook, *app.WebhookDelivery, error) {
	w, err := s.Get(ctx, user.ID, id)
	if err != nil {
		return nil, nil, err
	}
	d, err := s.tests.SendTest(ctx, w, user)
	if err != nil {
		return nil, nil, err
	}
	return w, d, nil
}

// Deliveries returns a page of the delivery log of the user's webhook
// f.WebhookID, newest first.
func (s *Service) Deliveries(ctx context.Context, userID string, f app.DeliveryFilter) ([]*app.WebhookDelivery, error) {
	if _, err := s.Get(ctx, userID, f.WebhookID); err != nil {
		return nil, err
	}
	return s.d.Store.ListDeliveries(ctx, f)
}
