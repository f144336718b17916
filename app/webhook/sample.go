package webhook

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/belfry/belfry/app"
	"github.com/google/uuid"
)

// TestEvent is the event name of the sample a "send test" delivers.
const TestEvent = "webhook.test"

// SendTest delivers one sample notification to hook right now, outside the
// outbox: one attempt, no retry, the webhook left as it is. The outcome is
// recorded in the webhook's delivery log and returned; a receiver's error is
// an outcome, not an error of SendTest.
func (w *Worker) SendTest(ctx context.Context, hook *app.Webhook, user *app.User) (*app.WebhookDelivery, error) {
	now := w.d.Clock.Now().UTC()
	nid, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("new id: %w", err)
	}
	did, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("new id: %w", err)
	}
	payload, err := json.Marshal(snapshot{
		ID: nid.String(), UserID: user.ID, Type: "webhook_test", Level: app.LevelInfo,
		Title: "Test from Belfry", Body: "If you can read this, the webhook **" + hook.Name + "** works.",
		Data: json.RawMessage(`{"test":true}`), CreatedAt: now,
	})
	if err != nil {
		return nil, fmt.Errorf("encode test payload: %w", err)
	}
	d := &app.WebhookDelivery{ID: did.String(), WebhookID: hook.ID, Event: TestEvent, Payload: payload,
		Status: app.DeliveryPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
	r := w.send(ctx, hook, d, now, user.IsAdmin)
	d.Attempts, d.ResponseCode, d.DurationMS, d.LastError = 1, r.code, r.duration.Milliseconds(), explain(r)
	d.Status = app.DeliveryFailed
	if judge(r) == delivered {
		d.Status = app.DeliveryDelivered
	}
	if err := w.d.Store.InsertDeliveries(context.WithoutCancel(ctx), []*app.WebhookDelivery{d}); err != nil {
		return nil, err
	}
	return d, nil
}
