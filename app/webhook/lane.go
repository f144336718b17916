package webhook

import (
	"context"
	"sync"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/outbox"
)

// goneReason is recorded on a webhook disabled by its receiver.
const goneReason = "The receiver answered 410 Gone."

// lane sends the claimed deliveries of one webhook in order. When the
// receiver looks unavailable (no answer, 429, 502, 503, 504) the rest of the
// batch shares the failed delivery's fate without being sent, and the
// webhook is paused: one probe per batch is enough. Other retryable answers
// (500, 408) may concern that one payload, so only it is retried later. A
// success after failures makes the webhook's backed-off deliveries due at
// once, so a receiver that comes back gets its backlog without waiting for
// each delivery's own next retry.
//
// Outcomes are recorded in the background while the next delivery is sent,
// so consecutive records share group commits; the lane ends only when they
// are durable.
func (w *Worker) lane(ctx context.Context, c *app.DeliveryClaim) {
	hook := c.Webhook
	admin := w.d.ownerIsAdmin(ctx, hook.UserID)
	var records sync.WaitGroup
	defer records.Wait()
	recordLater := func(d *app.WebhookDelivery) {
		records.Add(1)
		go func() {
			defer records.Done()
			w.record(ctx, d)
		}()
	}
	for i, d := range c.Deliveries {
		if ctx.Err() != nil {
			w.release(ctx, c.Deliveries[i:])
			return
		}
		now := w.d.Clock.Now()
		r := w.send(ctx, hook, d, now, admin)
		if r.err != nil && ctx.Err() != nil {
			w.release(ctx, c.Deliveries[i:])
			return
		}
		switch v := judge(r); v {
		case delivered:
			w.settle(d, r, now, app.DeliveryDelivered)
			recordLater(d)
			w.recovered(ctx, hook.ID, d, now)
		case permanent:
			w.settle(d, r, now, app.DeliveryFailed)
			recordLater(d)
			w.logFailure("webhook delivery failed for good", hook, d)
		case gone:
			w.settle(d, r, now, app.DeliveryFailed)
			w.record(ctx, d)
			w.disable(ctx, hook)
			return
		case retry:
			w.reschedule(ctx, hook, c.Deliveries[i:i+1], r, now, false)
		case unavailable:
			w.reschedule(ctx, hook, c.Deliveries[i:], r, now, true)
			return
		}
	}
}

// settle applies an attempt's result to d with the given status.
func (w *Worker) settle(d *app.WebhookDelivery, r result, now time.Time, status string) {
	d.Attempts++
	d.Status, d.ResponseCode, d.DurationMS = status, r.code, r.duration.Milliseconds()
	d.LastError, d.UpdatedAt = explain(r), now
	switch status {
	case app.DeliveryDelivered:
		w.delivered.Add(1)
	case app.DeliveryFailed:
		w.failed.Add(1)
	}
}

// reschedule records the failed attempt of ds[0] and gives the deliveries
// behind it the same fate: a later retry, or failure when out of attempts.
// With pause, the webhook gets no attempt until the pause ends.
func (w *Worker) reschedule(ctx context.Context, hook *app.Webhook, ds []*app.WebhookDelivery, r result, now time.Time, pause bool) {
	cause := explain(r)
	for i, d := range ds {
		w.settle(d, r, now, app.DeliveryPending)
		if i > 0 {
			d.ResponseCode, d.DurationMS = 0, 0
			d.LastError = "Not sent: the delivery before it to this webhook failed just now (" + cause + ")."
		}
		if d.Attempts >= w.cfg.MaxAttempts {
			d.Status = app.DeliveryFailed
			w.failed.Add(1)
			continue
		}
		wait := r.retryAfter
		if wait <= 0 {
			wait = outbox.Backoff(d.Attempts, w.jitter())
		}
		d.NextAttemptAt = now.Add(wait)
		w.retried.Add(1)
	}
	w.record(ctx, ds...)
	if pause {
		wait := r.retryAfter
		if wait <= 0 {
			wait = outbox.Backoff(1, w.jitter())
		}
		w.lanes.Pause(hook.ID, now.Add(wait))
	}
	first := ds[0]
	if first.Status == app.DeliveryFailed {
		w.logFailure("webhook delivery given up after its last attempt", hook, first)
		return
	}
	w.d.Logger.Warn("webhook delivery failed, will retry", "webhook_id", hook.ID, "delivery_id", first.ID,
		"event", first.Event, "attempt", first.Attempts, "err", first.LastError,
		"retry_at", first.NextAttemptAt, "deferred", len(ds)-1)
}

// recovered ends the webhook's pause and expedites its backlog after a
// success that follows failures (remembered, or visible in the delivery's
// attempts after a restart).
func (w *Worker) recovered(ctx context.Context, webhookID string, d *app.WebhookDelivery, now time.Time) {
	wasFailing := w.lanes.Resume(webhookID)
	if !wasFailing && d.Attempts <= 1 {
		return
	}
	n, err := w.d.Store.ExpediteDeliveries(context.WithoutCancel(ctx), webhookID, now)
	if err != nil {
		w.d.Logger.Error("expedite webhook deliveries", "webhook_id", webhookID, "err", err)
	} else if n > 0 {
		w.d.Logger.Info("webhook receiver is back; sending its backlog", "webhook_id", webhookID, "deliveries", n)
	}
}

// disable turns the webhook off after 410 Gone; its pending deliveries fail.
func (w *Worker) disable(ctx context.Context, hook *app.Webhook) {
	if err := w.d.Store.DisableWebhook(context.WithoutCancel(ctx), hook.ID, goneReason); err != nil {
		w.d.Logger.Error("disable webhook", "webhook_id", hook.ID, "err", err)
		return
	}
	w.disabled.Add(1)
	w.d.Logger.Warn("webhook disabled: its receiver answered 410 Gone", "webhook_id", hook.ID)
}

// release hands deliveries not attempted (shutdown) back to the outbox,
// due at once, without counting an attempt.
func (w *Worker) release(ctx context.Context, ds []*app.WebhookDelivery) {
	now := w.d.Clock.Now()
	for _, d := range ds {
		d.NextAttemptAt, d.UpdatedAt = now, now
	}
	w.record(ctx, ds...)
}

// record saves outcomes even while shutting down: an outcome lost here
// would only cause a duplicate (same webhook-id) after the lease.
func (w *Worker) record(ctx context.Context, ds ...*app.WebhookDelivery) {
	if err := w.d.Store.RecordAttempts(context.WithoutCancel(ctx), ds); err != nil {
		w.d.Logger.Error("record webhook attempts", "deliveries", len(ds), "err", err)
	}
}

func (w *Worker) logFailure(msg string, hook *app.Webhook, d *app.WebhookDelivery) {
	w.d.Logger.Warn(msg, "webhook_id", hook.ID, "delivery_id", d.ID, "event", d.Event,
		"attempt", d.Attempts, "err", d.LastError)
}
