package webhook

import (
	"net"
	"net/http"
	"time"

	"github.com/belfry/belfry/app"
)

// maxRedirects bounds the same-host redirects followed for one attempt.
const maxRedirects = 3

// NewClient returns the HTTP client deliveries use: cfg.Timeout per attempt,
// redirects followed only to the same host, and, unless cfg.AllowPrivate,
// a dialer that refuses private addresses and no proxy (a proxy would hide
// the real target from the guard).
func NewClient(cfg app.WebhooksConfig) *http.Client {
	timeout := cfg.Timeout.Duration
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	proxy := http.ProxyFromEnvironment
	if !cfg.AllowPrivate {
		dialer.Control = refusePrivate
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
