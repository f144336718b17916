package webhook

import (
	"net"
	"net/http"
	"time"

	"github.com/belfry/belfry/app"
)

// maxRedirects bounds the same-host redirects followed for one attempt.
const maxRedirects = 3

// NewClient returns the HTTP client the deliveries of an owner (an admin or
// not) use: cfg.Timeout per attempt, redirects followed only to the same
// host, and, when privateRule refuses the owner private addresses, a dialer
// that refuses them and no proxy (a proxy would hide the real target from
// the guard). Admins and the others get separate clients, so a connection
// kept alive for one never carries the other's request.
func NewClient(cfg app.WebhooksConfig, admin bool) *http.Client {
	timeout := cfg.Timeout.Duration
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	proxy := http.ProxyFromEnvironment
	if rule := privateRule(cfg, admin); rule != "" {
		dialer.Control = refusePrivate(rule)
		proxy = nil
	}
	transport := &http.Transport{
		Proxy:                 proxy,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConns:          32,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{Transport: transport, Timeout: timeout, CheckRedirect: sameHostRedirects}
}

// sameHostRedirects follows a redirect only to the host of the original
// request, a few times; otherwise the redirect response itself is the
// answer, which the worker records as a permanent failure.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects || req.URL.Host != via[0].URL.Host {
		return http.ErrUseLastResponse
	}
	return nil
}
