package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
)

// secretPrefix starts every signing secret, as Standard Webhooks suggests.
const secretPrefix = "whsec_"

// NewSecret returns a fresh signing secret: "whsec_" and the base64 of 24
// random bytes. The bytes are the HMAC key.
func NewSecret() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate webhook secret: %w", err)
	}
	return secretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// Sign returns the Standard Webhooks signature header value of body:
// "v1," and the base64 HMAC-SHA256, keyed by the secret's decoded bytes, of
// "id.timestamp.body".
func Sign(secret, id string, timestamp int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || len(key) == 0 {
		return "", fmt.Errorf("webhook secret is not valid base64")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(timestamp, 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// genericEnvelope is the body of a generic webhook.
type genericEnvelope struct {
	ID        string    `json:"id"`
	Event     string    `json:"event"`
	Timestamp time.Time `json:"timestamp"`
	Data      snapshot  `json:"data"`
}

// genericMessage renders d as {id, event, timestamp, data} with the three
// Standard Webhooks headers. The id is the delivery's, identical on every
// retry; webhook-timestamp is the attempt's time, so a retry hours later
// still passes a receiver's freshness check.
func genericMessage(d *app.WebhookDelivery, s snapshot, secret string, now time.Time) (message, error) {
	m, err := jsonMessage(genericEnvelope{ID: d.ID, Event: d.Event, Timestamp: s.CreatedAt, Data: s})
	if err != nil {
		return m, err
	}
	ts := now.Unix()
	sig, err := Sign(secret, d.ID, ts, m.body)
	if err != nil {
		return m, err
	}
	// Lower-case keys, set directly, go out exactly as the spec spells them.
	m.header["webhook-id"] = []string{d.ID}
	m.header["webhook-timestamp"] = []string{strconv.FormatInt(ts, 10)}
	m.header["webhook-signature"] = []string{sig}
	return m, nil
}
