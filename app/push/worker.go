package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/SherClockHolmes/webpush-go"
	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/outbox"
)

// perHost bounds the pushes one lane sends per claim.
const perHost = 20

// Run sends the outbox until ctx ends. Each endpoint host gets one lane (a
// goroutine sending its claimed pushes in order, each request bounded by
// push.timeout); at most push.hosts lanes run at once, and a host with a
// running lane is not claimed again, so a slow push service delays only
// its own pushes. A host that looked unavailable is paused until its
// failed push is due again (outbox.Lanes). Nothing runs while push is off.
func (s *Service) Run(ctx context.Context) {
	if !s.Enabled() {
		return
	}
	go s.runClears(ctx)
	hs := outbox.NewLanes()
	var lanes sync.WaitGroup
	defer lanes.Wait()
	for {
		now := s.d.Clock.Now()
		skip, _, running := hs.Excluded(now)
		if free := s.d.Config.Hosts - running; free > 0 {
			claims, err := s.d.Store.ClaimPushes(ctx, now, now.Add(s.lease()), free, perHost, skip)
			if err != nil && ctx.Err() == nil {
				s.d.Logger.Error("claim pushes", "err", err)
			}
			for host, cs := range byHost(claims) {
				hs.Start(host)
				lanes.Add(1)
				go func() {
					defer lanes.Done()
					if until := s.lane(ctx, cs); until.IsZero() {
						hs.Resume(host)
					} else {
						hs.Pause(host, until)
					}
					hs.End(host)
					s.kick.Kick()
				}()
			}
		}
		next, ok, err := s.nextDue(ctx, hs)
		if !outbox.Sleep(ctx, s.kick, next, ok, err, s.d.Clock.Now()) {
			return
		}
	}
}

// nextDue returns when the worker may next send something: the earliest
// due push of a host neither busy nor paused, or the end of a pause. With
// every lane busy there is nothing to do until one ends, and kicks.
func (s *Service) nextDue(ctx context.Context, hs *outbox.Lanes) (time.Time, bool, error) {
	skip, pauseEnd, running := hs.Excluded(s.d.Clock.Now())
	if running >= s.d.Config.Hosts {
		return time.Time{}, false, nil
	}
	next, ok, err := s.d.Store.NextPushDue(ctx, skip)
	if err == nil && !pauseEnd.IsZero() && (!ok || pauseEnd.Before(next)) {
		return pauseEnd, true, nil
	}
	return next, ok, err
}

// lease is how long claimed pushes stay away from another claim: after a
// crash mid-send they are due again then.
func (s *Service) lease() time.Duration {
	return perHost*s.d.Config.Timeout.Duration + time.Minute
}

func byHost(cs []*app.PushClaim) map[string][]*app.PushClaim {
	out := map[string][]*app.PushClaim{}
	for _, c := range cs {
		out[c.Subscription.Host] = append(out[c.Subscription.Host], c)
	}
	return out
}

// lane sends the claims of one host in order. Several notification pushes
// due at once for one device (a storm, or a backlog after an outage) go as
// one summary push. When the service looks unavailable (429, 502, 503,
// 504, no answer), the rest of the lane is rescheduled with it, and lane
// returns when the host may be tried again (zero otherwise).
func (s *Service) lane(ctx context.Context, cs []*app.PushClaim) (pauseUntil time.Time) {
	cs = s.summarise(cs)
	for i, c := range cs {
		if ctx.Err() != nil {
			s.release(cs[i:])
			return time.Time{}
		}
		now := s.d.Clock.Now()
		if c.Push.Kind == app.PushNotify || c.Push.Kind == app.PushSummary {
			if ok, until := s.storm.admit(c.Subscription.ID, now); !ok {
				c.Push.NextAttemptAt, c.Push.UpdatedAt = until, now
				c.Push.LastError = "Held back: a notification storm on this device; it goes in the next summary."
				s.record(ctx, c)
				continue
			}
		}
		r := s.deliver(ctx, c, now)
		if r.err != nil && ctx.Err() != nil {
			s.release(cs[i:])
			return time.Time{}
		}
		if s.settle(ctx, c, r, now) {
			if rest := cs[i+1:]; len(rest) > 0 {
				for _, p := range rest {
					p.Push.NextAttemptAt, p.Push.UpdatedAt = c.Push.NextAttemptAt, now
					p.Push.LastError = "Not sent: the push before it to this service failed just now."
				}
				s.record(ctx, rest...)
			}
			return c.Push.NextAttemptAt
		}
	}
	return time.Time{}
}

// release makes claims due again at once without counting an attempt: a
// shutdown began before they were sent.
func (s *Service) release(cs []*app.PushClaim) {
	now := s.d.Clock.Now()
	for _, c := range cs {
		c.Push.NextAttemptAt, c.Push.UpdatedAt = now, now
	}
	s.record(context.Background(), cs...)
}

func (s *Service) record(ctx context.Context, cs ...*app.PushClaim) {
	ps := make([]*app.Push, 0, len(cs))
	for _, c := range cs {
		ps = append(ps, c.Push)
		ps = append(ps, c.Merged...)
	}
	if err := s.d.Store.RecordPushes(context.WithoutCancel(ctx), ps); err != nil {
		s.d.Logger.Error("record pushes", "pushes", len(ps), "err", err)
	}
}

// result is what one push request got.
type result struct {
	code       int
	retryAfter time.Duration
	err        error
}

// shrinkSteps are the body excerpts tried after a 413: shorter, then none.
var shrinkSteps = []int{bodyExcerpt, 60, 0}

// deliver sends c's push, shrinking the payload after a 413 until the
// service takes it or there is nothing left to drop.
func (s *Service) deliver(ctx context.Context, c *app.PushClaim, now time.Time) result {
	var m message
	if err := json.Unmarshal(c.Push.Payload, &m); err != nil {
		return result{err: fmt.Errorf("bad payload: %w", err)}
	}
	if m.Kind == app.PushNotify || m.Kind == app.PushSummary {
		if n, err := s.d.Unread(ctx, c.Push.UserID); err == nil {
			m.Badge = &n
		}
	}
	if c.Push.CreatedAt.Add(c.Push.TTL).Before(now) {
		return result{code: -1, err: errors.New("expired: not sent within its TTL")}
	}
	var r result
	for _, limit := range shrinkSteps {
		m.Body = excerpt(m.Body, limit)
		payload, _ := json.Marshal(m)
		r = s.send(ctx, c, payload, now)
		if r.code != http.StatusRequestEntityTooLarge {
			c.Push.Payload = payload
			return r
		}
	}
	return r
}

// send makes one request to the push service.
func (s *Service) send(ctx context.Context, c *app.PushClaim, payload []byte, now time.Time) result {
	ttl := int(max(c.Push.TTL-now.Sub(c.Push.CreatedAt), time.Second) / time.Second)
	resp, err := webpush.SendNotificationWithContext(ctx, payload,
		&webpush.Subscription{Endpoint: c.Subscription.Endpoint, Keys: webpush.Keys{P256dh: c.Subscription.P256dh, Auth: c.Subscription.Auth}},
		&webpush.Options{HTTPClient: s.client, Subscriber: s.subject, VAPIDPublicKey: s.public, VAPIDPrivateKey: s.private,
			TTL: ttl, Urgency: webpush.Urgency(c.Push.Urgency), Topic: c.Push.Topic, RecordSize: recordSize(len(payload))})
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	return result{code: resp.StatusCode, retryAfter: retryAfter(resp.Header.Get("Retry-After"), now)}
}

// recordSize is the aes128gcm record size for a payload of n bytes: the
// payload, its delimiter and the tag, rounded up to 128 bytes so lengths
// leak less, within the 4096 that every push service takes. webpush-go
// pads each record to the full size.
func recordSize(n int) uint32 {
	const header = 86 // salt, record size, key id length, key id
	size := (n + 1 + 16 + header + 127) / 128 * 128
	return uint32(min(size, int(webpush.MaxRecordSize)))
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	if h == "" {
		return 0
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(h)); err == nil {
		return min(time.Duration(max(secs, 0))*time.Second, 24*time.Hour)
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return min(t.Sub(now), 24*time.Hour)
	}
	return 0
}

// settle records c's outcome and reports whether the service looks
// unavailable, so the lane's other pushes should wait too.
func (s *Service) settle(ctx context.Context, c *app.PushClaim, r result, now time.Time) (unavailable bool) {
	p := c.Push
	p.Attempts++
	p.UpdatedAt = now
	switch {
	case r.err == nil && r.code >= 200 && r.code < 300:
		p.Status, p.LastError, p.SentAt = app.PushSent, "", &now
		s.sent.Add(1)
		s.record(ctx, c)
		_ = s.d.Store.RecordDelivery(context.WithoutCancel(ctx), c.Subscription.ID, &now, "")
		return false
	case r.code == http.StatusNotFound || r.code == http.StatusGone:
		s.gone.Add(1)
		s.d.Logger.Info("push subscription gone, removed", "subscription_id", c.Subscription.ID, "user_id", p.UserID, "status", r.code)
		if err := s.d.Store.RemoveSubscription(context.WithoutCancel(ctx), c.Subscription.ID); err != nil {
			s.d.Logger.Error("remove push subscription", "err", err)
		}
		return false
	}
	p.LastError = explain(r)
	retryable := r.code == 0 || r.code == http.StatusTooManyRequests || r.code >= 500
	if !retryable || p.Attempts >= s.d.Config.MaxAttempts {
		p.Status = app.PushFailed
		s.failed.Add(1)
		s.d.Logger.Warn("push given up", "push_id", p.ID, "subscription_id", c.Subscription.ID, "attempt", p.Attempts, "err", p.LastError)
	} else {
		wait := r.retryAfter
		if wait <= 0 {
			wait = outbox.Backoff(p.Attempts, s.jitter())
		}
		p.Status, p.NextAttemptAt = app.PushPending, now.Add(wait)
		s.retried.Add(1)
	}
	s.record(ctx, c)
	_ = s.d.Store.RecordDelivery(context.WithoutCancel(ctx), c.Subscription.ID, nil, p.LastError)
	switch r.code {
	case 0, http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return retryable && p.Status == app.PushPending
	}
	return false
}

// explain is a push's last_error.
func explain(r result) string {
	if r.err != nil {
		msg := r.err.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
		return msg
	}
	return fmt.Sprintf("The push service answered %d %s.", r.code, http.StatusText(r.code))
}
