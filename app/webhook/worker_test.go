package webhook

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/outbox"
)

// TestRetrySchedule_500 follows one delivery to a receiver that always
// answers 500 through every attempt: the waits are the backoff schedule,
// every attempt repeats the webhook-id, nothing is sent early, and the
// delivery fails after max_attempts.
func TestRetrySchedule_500(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, f.clock)
	rcv.answer(http.StatusInternalServerError, nil)
	w := f.hook(f.alice, app.WebhookGeneric, rcv.URL)
	f.publish(f.alice, app.Event{})
	f.drain()
	for i := range 11 {
		wait := outbox.Backoff(i+1, 0)
		d := f.log(w)[0]
		if d.Status != app.DeliveryPending || d.Attempts != i+1 || !d.NextAttemptAt.Equal(f.clock.Now().Add(wait)) ||
			!strings.HasPrefix(d.LastError, "HTTP 500") || d.ResponseCode != 500 {
			t.Fatalf("after attempt %d: %+v, want next in %v", i+1, d, wait)
		}
		f.clock.Advance(wait - time.Second)
		f.drain()
		if n := len(rcv.requests()); n != i+1 {
			t.Fatalf("attempt %d was sent %v early", i+2, time.Second)
		}
		f.clock.Advance(time.Second)
		f.drain()
	}
	reqs := rcv.requests()
	d := f.log(w)[0]
	if len(reqs) != 12 || d.Status != app.DeliveryFailed || d.Attempts != 12 {
		t.Fatalf("%d requests, delivery %+v; want 12 and failed", len(reqs), d)
	}
	var total time.Duration
	for i, r := range reqs {
		if r.Header.Get("webhook-id") != d.ID {
			t.Fatalf("attempt %d carried webhook-id %q, want %q", i+1, r.Header.Get("webhook-id"), d.ID)
		}
		if i > 0 {
			total += r.At.Sub(reqs[i-1].At)
		}
	}
	if total < 23*time.Hour || total > 25*time.Hour {
		t.Fatalf("retries spanned %v, want about a day", total)
	}
	if st := f.worker.Stats(); st.Failed != 1 || st.Retried != 11 || st.Delivered != 0 {
		t.Fatalf("stats = %+v", st)
	}
}

// TestRetry_RetryAfter checks 429 and 503 with Retry-After in seconds and as
// an HTTP date.
func TestRetry_RetryAfter(t *testing.T) {
	for name, tc := range map[string]struct {
		code  int
		after func(now time.Time) string
		want  time.Duration
	}{
		"429Seconds": {429, func(time.Time) string { return "120" }, 2 * time.Minute},
		"503Date":    {503, func(now time.Time) string { return now.Add(time.Hour).UTC().Format(http.TimeFormat) }, time.Hour},
		"429Huge":    {429, func(time.Time) string { return "999999999" }, maxRetryAfter},
		"429None":    {429, func(time.Time) string { return "" }, 30 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			rcv := newReceiver(t, f.clock)
			h := http.Header{}
			if v := tc.after(f.clock.Now()); v != "" {
				h.Set("Retry-After", v)
			}
			rcv.answer(tc.code, h)
			w := f.hook(f.alice, app.WebhookSlack, rcv.URL)
			f.publish(f.alice, app.Event{})
			f.drain()
			d := f.log(w)[0]
			if d.Status != app.DeliveryPending || !d.NextAttemptAt.Equal(f.clock.Now().Add(tc.want)) {
				t.Fatalf("next attempt %v, want now + %v", d.NextAttemptAt, tc.want)
			}
			rcv.answer(http.StatusOK, nil)
			f.clock.Advance(tc.want)
			f.drain()
			if d := f.log(w)[0]; d.Status != app.DeliveryDelivered || d.Attempts != 2 || d.LastError != "" {
				t.Fatalf("after the wait: %+v", d)
			}
		})
	}
}

// TestRetry_Timeout: a receiver that does not answer within the timeout is
// retried like a network error.
func TestRetry_Timeout(t *testing.T) {
	f := newFixture(t, withConfig(func(c *app.WebhooksConfig) { c.Timeout = app.Duration{Duration: 200 * time.Millisecond} }))
	release := make(chan struct{})
	defer close(release)
	rcv := newReceiver(t, f.clock)
	rcv.reply = func(r *http.Request, _ []byte) (int, http.Header) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return http.StatusOK, nil
	}
	w := f.hook(f.alice, app.WebhookNtfy, rcv.URL)
	f.publish(f.alice, app.Event{})
	f.drain()
	d := f.log(w)[0]
	if d.Status != app.DeliveryPending || d.Attempts != 1 || d.LastError != "timed out" ||
		!d.NextAttemptAt.Equal(f.clock.Now().Add(30*time.Second)) {
		t.Fatalf("after a timeout: %+v", d)
	}
}

// TestGone_DisablesWebhook: 410 fails the delivery, disables the webhook,
// fails what was queued behind it, and later events skip it.
func TestGone_DisablesWebhook(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, f.clock)
	rcv.answer(http.StatusGone, nil)
	w := f.hook(f.alice, app.WebhookDiscord, rcv.URL)
	f.publish(f.alice, app.Event{Title: "one"})
	f.publish(f.alice, app.Event{Title: "two"})
	f.drain()
	got, _ := f.store.FindWebhook(t.Context(), f.alice.ID, w.ID)
	log := f.log(w)
	if got.Enabled || got.DisabledReason != goneReason || len(rcv.requests()) != 1 ||
		log[0].Status != app.DeliveryFailed || log[0].ResponseCode != 410 || log[1].Status != app.DeliveryFailed {
		t.Fatalf("webhook %+v, log %+v %+v, %d requests", got, log[0], log[1], len(rcv.requests()))
	}
	if res := f.publish(f.alice, app.Event{Title: "three"}); res.Webhooks != 0 {
		t.Fatalf("a disabled webhook still got %d deliveries", res.Webhooks)
	}
	if st := f.worker.Stats(); st.Disabled != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

// TestPermanentFailure: another 4xx is not retried and does not stop the
// deliveries behind it.
func TestPermanentFailure(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, f.clock)
	var n int
	var mu sync.Mutex
	rcv.reply = func(*http.Request, []byte) (int, http.Header) {
		mu.Lock()
		defer mu.Unlock()
		if n++; n == 1 {
			return http.StatusBadRequest, nil
		}
		return http.StatusAccepted, nil
	}
	w := f.hook(f.alice, app.WebhookGeneric, rcv.URL)
	f.publish(f.alice, app.Event{Title: "one"})
	f.publish(f.alice, app.Event{Title: "two"})
	f.drain()
	f.clock.Advance(48 * time.Hour)
	f.drain()
	log := f.log(w)
	if len(rcv.requests()) != 2 || log[0].Status != app.DeliveryFailed || log[0].Attempts != 1 ||
		log[0].LastError != "HTTP 400 Bad Request" || log[1].Status != app.DeliveryDelivered {
		t.Fatalf("log %+v %+v, %d requests", log[0], log[1], len(rcv.requests()))
	}
}

// TestSharedFateAndRecovery: while a receiver is unavailable, one request
// probes for a whole batch and the webhook is paused; when it answers again
// the backlog goes out at once, before each delivery's own next retry.
func TestSharedFateAndRecovery(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, f.clock)
	rcv.answer(http.StatusServiceUnavailable, nil)
	w := f.hook(f.alice, app.WebhookGeneric, rcv.URL)
	for i := 0; i < 5; i++ {
		f.publish(f.alice, app.Event{})
	}
	f.drain()
	log := f.log(w)
	if len(rcv.requests()) != 1 || log[4].Attempts != 1 || !strings.HasPrefix(log[4].LastError, "Not sent") {
		t.Fatalf("%d requests for an unavailable receiver; last %+v", len(rcv.requests()), log[4])
	}
	if st := f.worker.Stats(); st.Paused != 1 || st.Retried != 5 {
		t.Fatalf("stats = %+v", st)
	}
	// Paused: a new event waits for the pause instead of probing again.
	f.publish(f.alice, app.Event{Title: "during the pause"})
	f.drain()
	if n := len(rcv.requests()); n != 1 {
		t.Fatalf("%d requests during the pause, want none", n)
	}
	f.clock.Advance(30 * time.Second)
	f.drain()
	log = f.log(w)
	if n := len(rcv.requests()); n != 2 || log[0].Attempts != 2 || log[5].Attempts != 1 {
		t.Fatalf("after the pause: %d requests, attempts %d and %d", n, log[0].Attempts, log[5].Attempts)
	}
	// Back up: the pause ends; the first delivery due (the one published
	// during the pause, retried in 30 s) succeeds and pulls the others,
	// due in a minute, forward.
	rcv.answer(http.StatusOK, nil)
	f.clock.Advance(30 * time.Second)
	f.drain()
	for _, d := range f.log(w) {
		if d.Status != app.DeliveryDelivered {
			t.Fatalf("backlog not sent after the receiver came back: %s %d %v", d.Status, d.Attempts, d.NextAttemptAt)
		}
	}
	if n := len(rcv.requests()); n != 8 {
		t.Fatalf("%d requests, want 2 refused + 6", n)
	}
}

// TestRetry_OneBadPayload: a 500 for one delivery retries that delivery
// only; the webhook is not paused and the others go out.
func TestRetry_OneBadPayload(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, f.clock)
	rcv.reply = func(_ *http.Request, body []byte) (int, http.Header) {
		if strings.Contains(string(body), "poison") {
			return http.StatusInternalServerError, nil
		}
		return http.StatusOK, nil
	}
	w := f.hook(f.alice, app.WebhookGeneric, rcv.URL)
	f.publish(f.alice, app.Event{Title: "poison"})
	f.publish(f.alice, app.Event{Title: "fine"})
	f.drain()
	f.publish(f.alice, app.Event{Title: "also fine"})
	f.drain()
	log := f.log(w)
	if log[0].Status != app.DeliveryPending || log[1].Status != app.DeliveryDelivered || log[2].Status != app.DeliveryDelivered {
		t.Fatalf("statuses %s %s %s", log[0].Status, log[1].Status, log[2].Status)
	}
}

// TestRestart_ResumesRetry: a delivery waiting for its retry survives closing
// the database; a new worker on the reopened file delivers it with the same
// webhook-id.
func TestRestart_ResumesRetry(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, f.clock)
	rcv.answer(http.StatusBadGateway, nil)
	w := f.hook(f.alice, app.WebhookGeneric, rcv.URL)
	f.publish(f.alice, app.Event{})
	f.drain()
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	f.open()
	rcv.answer(http.StatusOK, nil)
	f.clock.Advance(30 * time.Second)
	f.drain()
	reqs := rcv.requests()
	d := f.log(w)[0]
	if len(reqs) != 2 || d.Status != app.DeliveryDelivered || d.Attempts != 2 ||
		reqs[0].Header.Get("webhook-id") != d.ID || reqs[1].Header.Get("webhook-id") != d.ID {
		t.Fatalf("after restart: %d requests, %+v", len(reqs), d)
	}
	verifySignature(t, w.Secret, reqs[1].Header, reqs[1].Body, f.clock.Now())
}

// TestRestart_CrashMidDelivery: a worker that claimed deliveries and died
// without recording anything leaves them leased; after the lease they go
// out.
func TestRestart_CrashMidDelivery(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, f.clock)
	w := f.hook(f.alice, app.WebhookSlack, rcv.URL)
	f.publish(f.alice, app.Event{})
	now := f.clock.Now()
	claims, err := f.store.ClaimDeliveries(t.Context(), app.ClaimRequest{Now: now, LeaseUntil: now.Add(f.worker.lease), Lanes: 1, PerLane: 1})
	if err != nil || len(claims) != 1 {
		t.Fatalf("claim: %v %v", claims, err)
	}
	f.db.Close() // the crash
	f.open()
	f.drain()
	if len(rcv.requests()) != 0 {
		t.Fatal("a leased delivery was sent before its lease ended")
	}
	f.clock.Advance(f.worker.lease)
	f.drain()
	if d := f.log(w)[0]; len(rcv.requests()) != 1 || d.Status != app.DeliveryDelivered {
		t.Fatalf("after the lease: %d requests, %+v", len(rcv.requests()), d)
	}
}

// TestHangingReceiver: a receiver that never answers holds one lane; the
// other webhook's deliveries all go out meanwhile, with only two lanes.
func TestHangingReceiver(t *testing.T) {
	f := newFixture(t, withConfig(func(c *app.WebhooksConfig) {
		c.Workers = 2
		c.Timeout = app.Duration{Duration: time.Minute}
	}))
	release := make(chan struct{})
	hanging := newReceiver(t, f.clock)
	hanging.reply = func(r *http.Request, _ []byte) (int, http.Header) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return http.StatusOK, nil
	}
	fine := newReceiver(t, f.clock)
	f.hook(f.alice, app.WebhookGeneric, hanging.URL)
	ok := f.hook(f.alice, app.WebhookDiscord, fine.URL)
	for i := 0; i < 5; i++ {
		f.publish(f.alice, app.Event{})
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.worker.Run(ctx); close(done) }()
	defer func() {
		close(release)
		cancel()
		<-done
	}()
	<-hanging.got // the hanging receiver holds its request
	for i := 0; i < 5; i++ {
		select {
		case <-fine.got:
		case <-time.After(30 * time.Second):
			t.Fatalf("the second webhook got %d of 5 deliveries while the first hung", i)
		}
	}
	waitFor(t, func() bool {
		for _, d := range f.log(ok) {
			if d.Status != app.DeliveryDelivered {
				return false
			}
		}
		return true
	})
	if n := len(hanging.requests()); n != 1 {
		t.Fatalf("the hanging receiver got %d requests, want 1 in flight", n)
	}
}

// waitFor polls cond for up to 30 s: a guard against hanging, not a timing
// assertion.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRun_KickAndShutdown: Run delivers what a dispatch queued, and returns
// when its context ends.
func TestRun_KickAndShutdown(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, f.clock)
	w := f.hook(f.alice, app.WebhookGeneric, rcv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.worker.Run(ctx); close(done) }()
	f.publish(f.alice, app.Event{})
	<-rcv.got
	waitFor(t, func() bool { return f.log(w)[0].Status == app.DeliveryDelivered })
	cancel()
	<-done
	if st := f.worker.Stats(); st.Delivered != 1 || st.Lanes != 0 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestRedirects(t *testing.T) {
	f := newFixture(t)
	target := newReceiver(t, f.clock)
	same := newReceiver(t, f.clock)
	elsewhere := newReceiver(t, f.clock)
	elsewhere.answer(http.StatusTemporaryRedirect, http.Header{"Location": {target.URL + "/stolen"}})
	var sameHits int
	var mu sync.Mutex
	same.reply = func(r *http.Request, _ []byte) (int, http.Header) {
		mu.Lock()
		defer mu.Unlock()
		if sameHits++; sameHits == 1 {
			return http.StatusPermanentRedirect, http.Header{"Location": {"/moved"}}
		}
		return http.StatusOK, nil
	}
	away := f.hook(f.alice, app.WebhookGeneric, elsewhere.URL)
	home := f.hook(f.alice, app.WebhookGeneric, same.URL)
	f.publish(f.alice, app.Event{})
	f.drain()
	if d := f.log(away)[0]; d.Status != app.DeliveryFailed || d.ResponseCode != 307 || len(target.requests()) != 0 {
		t.Fatalf("redirect to another host: %+v, target saw %d", d, len(target.requests()))
	}
	reqs := same.requests()
	if d := f.log(home)[0]; d.Status != app.DeliveryDelivered || len(reqs) != 2 || string(reqs[1].Body) != string(reqs[0].Body) {
		t.Fatalf("same-host redirect: %+v, %d requests", d, len(reqs))
	}
}

// TestPrivateRefusedAtDial: with allow_private off, a webhook that points at
// loopback (stored before the switch, or resolved there later) is refused
// when dialled, for good.
func TestPrivateRefusedAtDial(t *testing.T) {
	f := newFixture(t, withConfig(func(c *app.WebhooksConfig) { c.AllowPrivate = false }))
	rcv := newReceiver(t, f.clock)
	w := f.hook(f.alice, app.WebhookGeneric, rcv.URL)
	f.publish(f.alice, app.Event{})
	f.drain()
	d := f.log(w)[0]
	if len(rcv.requests()) != 0 || d.Status != app.DeliveryFailed || !strings.Contains(d.LastError, "private network") {
		t.Fatalf("%d requests reached loopback; %+v", len(rcv.requests()), d)
	}
}

// TestBrokenSecret: a delivery whose request cannot be built fails at once
// instead of pausing the webhook and retrying for a day.
func TestBrokenSecret(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, f.clock)
	w := f.hook(f.alice, app.WebhookGeneric, rcv.URL)
	w.Secret = "whsec_not base64!"
	if err := f.store.UpdateWebhook(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	f.publish(f.alice, app.Event{})
	f.drain()
	d := f.log(w)[0]
	if len(rcv.requests()) != 0 || d.Status != app.DeliveryFailed || !strings.Contains(d.LastError, "base64") || f.worker.Stats().Paused != 0 {
		t.Fatalf("%+v", d)
	}
}

func TestPrune(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, f.clock)
	w := f.hook(f.alice, app.WebhookGeneric, rcv.URL)
	f.publish(f.alice, app.Event{})
	f.drain()
	f.worker.pruneIfDue(t.Context()) // first run prunes; nothing is old yet
	if len(f.log(w)) != 1 {
		t.Fatal("a fresh delivery was pruned")
	}
	f.clock.Advance(31 * 24 * time.Hour)
	f.worker.pruneIfDue(t.Context())
	if len(f.log(w)) != 0 {
		t.Fatal("an old delivery was kept past the retention")
	}
}

// TestNoSecretsInLogs runs deliveries that succeed, retry, give up and
// disable, with secrets in every place a webhook keeps them, and checks the
// log output for each.
func TestNoSecretsInLogs(t *testing.T) {
	f := newFixture(t, withConfig(func(c *app.WebhooksConfig) { c.MaxAttempts = 2 }))
	rcv := newReceiver(t, f.clock)
	rcv.answer(http.StatusInternalServerError, nil)
	gone := newReceiver(t, f.clock)
	gone.answer(http.StatusGone, nil)
	generic := f.hook(f.alice, app.WebhookGeneric, rcv.URL+"/in?key=QUERYSECRET")
	ntfy := f.hook(f.alice, app.WebhookNtfy, gone.URL+"/NTFYTOPICSECRET")
	ntfy.AuthUsername, ntfy.AuthPassword = "user", "NTFYPASSWORD"
	if err := f.store.UpdateWebhook(t.Context(), ntfy); err != nil {
		t.Fatal(err)
	}
	tok := f.hook(f.alice, app.WebhookNtfy, "http://127.0.0.1:1/TOPIC2SECRET")
	tok.AuthToken = "tk_TOKENSECRET"
	if err := f.store.UpdateWebhook(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	f.hook(f.alice, app.WebhookDiscord, "http://127.0.0.1:1/api/webhooks/1/DISCORDTOKEN")
	f.publish(f.alice, app.Event{})
	f.drain()
	f.clock.Advance(time.Hour)
	f.drain()
	logs := f.logs.String()
	for _, want := range []string{"will retry", "given up", "410 Gone", "connection refused"} {
		if !strings.Contains(logs, want) {
			t.Fatalf("the logs lack %q, so the test proves nothing:\n%s", want, logs)
		}
	}
	key := strings.TrimPrefix(generic.Secret, "whsec_")
	for _, secret := range []string{key, "QUERYSECRET", "NTFYTOPICSECRET", "NTFYPASSWORD", "TOPIC2SECRET", "TOKENSECRET", "DISCORDTOKEN"} {
		if strings.Contains(logs, secret) {
			t.Fatalf("secret %s appears in the logs:\n%s", secret, logs)
		}
	}
}
