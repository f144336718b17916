package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/google/uuid"
)

// Router implements app.WebhookRouter: for each dispatched notification it
// returns one outbox delivery per enabled webhook of the recipient that
// subscribes to the type's webhook event. It is safe for concurrent use.
type Router struct {
	d Deps
}

var _ app.WebhookRouter = (*Router)(nil)

// Deliveries returns the deliveries of n for typ.WebhookEvent, due now.
func (r *Router) Deliveries(ctx context.Context, typ app.NotificationType, n *app.Notification) ([]*app.WebhookDelivery, error) {
	if typ.WebhookEvent == "" {
		return nil, nil
	}
	hooks, err := r.d.Store.SubscribedWebhooks(ctx, n.UserID, typ.WebhookEvent)
	if err != nil || len(hooks) == 0 {
		return nil, err
	}
	return r.deliveries(hooks, typ.WebhookEvent, n)
}

// EscalationEvent is the webhook event of a delivery an escalation step
// sends to a chosen webhook, whatever events it subscribes to.
const EscalationEvent = "notification.escalated"

// DeliveryTo returns a delivery of n to userID's webhook id, due now, as
// an escalation step sends it (event EscalationEvent). Errors: ENOTFOUND
// when userID has no such webhook; EINVALID when it is disabled.
func (r *Router) DeliveryTo(ctx context.Context, userID, id string, n *app.Notification) (*app.WebhookDelivery, error) {
	h, err := r.d.Store.FindWebhook(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	if !h.Enabled {
		return nil, app.Errorf(app.EINVALID, "Webhook %s is disabled.", h.ID)
	}
	ds, err := r.deliveries([]*app.Webhook{h}, EscalationEvent, n)
	if err != nil {
		return nil, err
	}
	return ds[0], nil
}

// deliveries returns one delivery of n for event to each of hooks. Each
// carries a snapshot of the notification as its payload and a fresh UUIDv7
// as its ID, the webhook-id that every attempt repeats.
func (r *Router) deliveries(hooks []*app.Webhook, event string, n *app.Notification) ([]*app.WebhookDelivery, error) {
	payload, err := json.Marshal(snapshotOf(n))
	if err != nil {
		return nil, fmt.Errorf("encode webhook payload: %w", err)
	}
	now := r.d.Clock.Now().UTC()
	out := make([]*app.WebhookDelivery, 0, len(hooks))
	for _, h := range hooks {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, fmt.Errorf("new delivery id: %w", err)
		}
		out = append(out, &app.WebhookDelivery{
			ID: id.String(), WebhookID: h.ID, NotificationID: n.ID, Event: event,
			Payload: payload, Status: app.DeliveryPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
			QuietExempt: h.QuietExempt,
		})
	}
	return out, nil
}

// snapshot is the notification as a webhook sees it: its content at the
// time of the dispatch, without per-reader state (read, acknowledged).
type snapshot struct {
	ID        string          `json:"id"`
	UserID    string          `json:"user_id"`
	Type      string          `json:"type"`
	Level     app.Level       `json:"level"`
	Title     string          `json:"title"`
	Body      string          `json:"body"`
	Data      json.RawMessage `json:"data"`
	TargetURL string          `json:"target_url,omitempty"`
	ServiceID string          `json:"service_id,omitempty"`
	Project   string          `json:"project,omitempty"`
	Object    *app.ObjectRef  `json:"object,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
}

func snapshotOf(n *app.Notification) snapshot {
	return snapshot{
		ID: n.ID, UserID: n.UserID, Type: n.Type, Level: n.Level, Title: n.Title, Body: n.Body,
		Data: n.Data, TargetURL: n.TargetURL, ServiceID: n.ServiceID, Project: n.Project,
		Object: n.Object, CreatedAt: n.CreatedAt.UTC(),
	}
}
