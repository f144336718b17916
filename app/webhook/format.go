package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
)

// message is one attempt's body and headers in the webhook's format.
type message struct {
	body   []byte
	header http.Header
}

// newRequest builds the POST of one attempt of d to w, made at now. The
// format is chosen at send time from the stored snapshot, so a delivery
// survives a restart without its rendered body.
func newRequest(ctx context.Context, w *app.Webhook, d *app.WebhookDelivery, now time.Time, baseURL string) (*http.Request, error) {
	var s snapshot
	if err := json.Unmarshal(d.Payload, &s); err != nil {
		return nil, fmt.Errorf("decode payload of delivery %s: %w", d.ID, err)
	}
	var (
		m   message
		err error
	)
	switch w.Kind {
	case app.WebhookDiscord:
		m, err = discordMessage(s, baseURL)
	case app.WebhookSlack:
		m, err = slackMessage(s, baseURL)
	case app.WebhookNtfy:
		m = ntfyMessage(s, w, baseURL)
	case app.WebhookGeneric:
		m, err = genericMessage(d, s, w.Secret, now)
	default:
		err = fmt.Errorf("unknown webhook kind %q", w.Kind)
	}
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(m.body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", describe(err))
	}
	for k, v := range m.header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", userAgent)
	return req, nil
}

func jsonMessage(v any) (message, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return message{}, fmt.Errorf("encode payload: %w", err)
	}
	return message{body: body, header: http.Header{"Content-Type": {"application/json"}}}, nil
}

// link returns the notification's target as an absolute URL: relative paths
// are resolved against the server's base URL; anything else gives "".
func link(target, baseURL string) string {
	if target == "" {
		return ""
	}
	if strings.HasPrefix(target, "/") && !strings.HasPrefix(target, "//") {
		if baseURL == "" {
			return ""
		}
		return strings.TrimRight(baseURL, "/") + target
	}
	if u, err := url.Parse(target); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return target
	}
	return ""
}

// truncate shortens s to at most n runes, ending with "…" when it cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n-1]) + "…"
}

// truncateBytes shortens s to at most n bytes on a rune boundary, ending
// with "…" when it cut.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	n -= len("…")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
