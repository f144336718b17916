package push

import (
	"crypto/ecdh"
	"encoding/base64"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
)

// Bounds of a subscription's fields.
const (
	maxEndpoint = 2048
	maxName     = 100
	authLen     = 16 // RFC 8291's auth secret
)

// subscriptionRequest is the body of POST /api/push/subscriptions: the
// browser's PushSubscription.toJSON() with an optional device name.
type subscriptionRequest struct {
	Endpoint *string `json:"endpoint"`
	Keys     *struct {
		P256dh *string `json:"p256dh"`
		Auth   *string `json:"auth"`
	} `json:"keys"`
	Name           string `json:"name"`
	ExpirationTime *int64 `json:"expirationTime"` // the browser sends it; unused
}

// subscription validates r and returns the subscription of userID it
// describes. Errors: EINVALID naming the field.
func (r *subscriptionRequest) subscription(userID string) (*app.PushSubscription, error) {
	if r.Endpoint == nil || *r.Endpoint == "" {
		return nil, app.Errorf(app.EINVALID, "Field endpoint is required.")
	}
	endpoint := *r.Endpoint
	if len(endpoint) > maxEndpoint {
		return nil, app.Errorf(app.EINVALID, "Field endpoint must be at most %d bytes.", maxEndpoint)
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return nil, app.Errorf(app.EINVALID, "Field endpoint must be an https:// URL of a push service.")
	}
	if r.Keys == nil || r.Keys.P256dh == nil || r.Keys.Auth == nil {
		return nil, app.Errorf(app.EINVALID, "Fields keys.p256dh and keys.auth are required.")
	}
	p256dh, err := decodeKey(*r.Keys.P256dh)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "Field keys.p256dh must be base64url.")
	}
	if _, err := ecdh.P256().NewPublicKey(p256dh); err != nil {
		return nil, app.Errorf(app.EINVALID, "Field keys.p256dh must be a P-256 public key of 65 bytes (uncompressed point), not %d bytes.", len(p256dh))
	}
	auth, err := decodeKey(*r.Keys.Auth)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "Field keys.auth must be base64url.")
	}
	if len(auth) != authLen {
		return nil, app.Errorf(app.EINVALID, "Field keys.auth must be %d bytes, not %d.", authLen, len(auth))
	}
	name := strings.TrimSpace(r.Name)
	if len(name) > maxName || !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' }) {
		return nil, app.Errorf(app.EINVALID, "Field name must be at most %d bytes of text on one line.", maxName)
	}
	return &app.PushSubscription{UserID: userID, Endpoint: endpoint, Host: strings.ToLower(u.Host),
		P256dh: base64.RawURLEncoding.EncodeToString(p256dh), Auth: base64.RawURLEncoding.EncodeToString(auth), Name: name}, nil
}

// decodeKey decodes base64url with or without padding, as browsers send it.
func decodeKey(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
