package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
)

// Response bodies are read up to maxResponseBytes; at most maxExcerptBytes
// of one are kept in the delivery log.
const (
	maxResponseBytes = 4 << 10
	maxExcerptBytes  = 1 << 10
)

// maxRetryAfter caps how long a receiver's Retry-After may defer a delivery.
const maxRetryAfter = 24 * time.Hour

// result is what one attempt observed.
type result struct {
	code       int           // HTTP status, 0 without a response
	err        error         // transport error, nil with a response
	duration   time.Duration // from sending to the end of the body read
	retryAfter time.Duration // the receiver's Retry-After, 0 if none
	excerpt    string        // the start of the response body
	// hidden is set when the response had a body that is not kept: the
	// receiver is on a private network and the owner is not an admin.
	hidden bool
}

// send makes one attempt of d to hook at now, bounded by webhooks.timeout,
// for an owner who is an admin or not. Only admins may read what a receiver
// on a private network answers: for the others the excerpt is dropped, so
// a webhook cannot be used to read a LAN or loopback service.
func (w *Worker) send(ctx context.Context, hook *app.Webhook, d *app.WebhookDelivery, now time.Time, admin bool) result {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout.Duration)
	defer cancel()
	req, err := newRequest(ctx, hook, d, now, w.d.BaseURL)
	if err != nil {
		return result{err: &buildError{err}}
	}
	var peer netip.Addr
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(c httptrace.GotConnInfo) {
		if a, err := netip.ParseAddrPort(c.Conn.RemoteAddr().String()); err == nil {
			peer = a.Addr()
		}
	}}))
	start := time.Now()
	resp, err := w.d.clientFor(admin).Do(req)
	if err != nil {
		return result{err: err, duration: time.Since(start)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	r := result{
		code:       resp.StatusCode,
		duration:   time.Since(start),
		retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), now),
		excerpt:    excerpt(body),
	}
	if !admin && (!peer.IsValid() || isPrivate(peer)) && r.excerpt != "" {
		r.excerpt, r.hidden = "", true
	}
	return r
}

// parseRetryAfter reads delay-seconds or an HTTP date, capped.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

func excerpt(body []byte) string {
	s := strings.ToValidUTF8(strings.TrimSpace(string(body)), "�")
	if len(s) > maxExcerptBytes {
		s = truncateBytes(s, maxExcerptBytes)
	}
	if !utf8.ValidString(s) {
		return ""
	}
	return s
}

// buildError is a request that could not be built (a corrupt payload, a
// secret that is not base64): retrying cannot help.
type buildError struct{ err error }

func (e *buildError) Error() string { return e.err.Error() }
func (e *buildError) Unwrap() error { return e.err }

// verdict is what the worker does after an attempt.
type verdict int

const (
	delivered   verdict = iota // 2xx
	retry                      // 408, 425, 500 and other 5xx: retry this delivery later
	unavailable                // no answer, 429, 502, 503, 504: retry and pause the webhook
	permanent                  // other statuses, redirects elsewhere, refused addresses
	gone                       // 410: the receiver is gone, disable the webhook
)

// judge classifies a result.
func judge(r result) verdict {
	switch {
	case r.err != nil && (isPrivateRefusal(r.err) || errors.As(r.err, new(*buildError))):
		return permanent
	case r.err != nil:
		return unavailable
	case r.code >= 200 && r.code < 300:
		return delivered
	case r.code == http.StatusGone:
		return gone
	case r.code == http.StatusTooManyRequests, r.code == http.StatusBadGateway,
		r.code == http.StatusServiceUnavailable, r.code == http.StatusGatewayTimeout:
		return unavailable
	case r.code == http.StatusRequestTimeout, r.code == http.StatusTooEarly, r.code >= 500:
		return retry
	}
	return permanent
}

// describe returns a transport error without the request URL, which may
// carry a token (Discord, Slack) and must stay out of logs and the API.
func describe(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return errors.New("timed out")
		}
		return ue.Err
	}
	return err
}

// explain is the delivery log's last_error for r.
func explain(r result) string {
	if r.err != nil {
		return describe(r.err).Error()
	}
	if r.code >= 200 && r.code < 300 {
		return ""
	}
	msg := fmt.Sprintf("HTTP %d %s", r.code, http.StatusText(r.code))
	if r.code >= 300 && r.code < 400 {
		msg += " (redirects to another host are not followed)"
	}
	if r.excerpt != "" {
		msg += ": " + r.excerpt
	}
	if r.hidden {
		msg += " (the response body is shown only to admins: the receiver is on a private network)"
	}
	return msg
}
