package push_test

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/SherClockHolmes/webpush-go"
	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/server/servertest"
)

// accepted is a push service that answers 201 without a network: what
// remains is the cost of one push's encryption (ECDH, HKDF, AES-GCM) and
// VAPID signature (ES256).
type accepted struct{}

func (accepted) Do(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusCreated, Body: io.NopCloser(strings.NewReader(""))}, nil
}

// BenchmarkEncryptAndSign is the CPU cost of one push as the worker makes
// it with webpush-go: a fresh ECDH key and shared secret, the HKDF keys,
// AES-GCM over a 300-byte payload padded to its record, and the VAPID JWT
// signed with ES256. ns/op is the figure (µs per push = ns/op / 1000).
func BenchmarkEncryptAndSign(b *testing.B) {
	device, _ := ecdh.P256().GenerateKey(rand.Reader)
	vapid, _ := ecdh.P256().GenerateKey(rand.Reader)
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	sub := &webpush.Subscription{Endpoint: "https://push.example.org/send/abc", Keys: webpush.Keys{
		P256dh: base64.RawURLEncoding.EncodeToString(device.PublicKey().Bytes()), Auth: base64.RawURLEncoding.EncodeToString(auth)}}
	opts := &webpush.Options{HTTPClient: accepted{}, Subscriber: "belfry@localhost", TTL: 86400, Urgency: webpush.UrgencyHigh,
		VAPIDPublicKey:  base64.RawURLEncoding.EncodeToString(vapid.PublicKey().Bytes()),
		VAPIDPrivateKey: base64.RawURLEncoding.EncodeToString(vapid.Bytes()), RecordSize: 512}
	payload := []byte(`{"kind":"notify","id":"01a23d87-b330-7d88-b484-bb3b1cc4f81e","tag":"belfry-01a23d87-b330-7d88-b484-bb3b1cc4f81e",` +
		`"title":"Nightly backup failed","body":"` + strings.Repeat("Disk full on nas. ", 8) + `","level":"error","badge":3}`)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := webpush.SendNotificationWithContext(context.Background(), payload, sub, opts)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}

// BenchmarkPublishToPush is the time from a publish request's start to its
// push request arriving at the push service on loopback (TLS), one publish
// at a time, through the whole application (durable group commit, the
// outbox, the worker's claim, encryption and signing). It reports p50 and
// p99 in milliseconds; run it with a fixed -benchtime (e.g. 300x).
func BenchmarkPublishToPush(b *testing.B) {
	svc := apptest.NewPushService(b)
	s := servertest.New(b, servertest.WithConfig(func(c *app.Config) {
		c.Database.Durability = "full"
		svc.Configure(&c.Push)
	}))
	alice := s.User("alice", false)
	cookie, secret := s.Session(alice), s.Token(alice, app.ScopePublish)
	if w := s.Do("POST", "/api/push/subscriptions", svc.Device("phone").JSON(), servertest.Cookie(cookie)); w.Code != http.StatusCreated {
		b.Fatalf("subscribe: %d %s", w.Code, w.Body)
	}
	body := `{"type":"job_failed","level":"error","title":"Backup failed","body":"Disk **full**"}`
	lat := make([]time.Duration, 0, b.N)
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if w := s.Do("POST", "/api/v1/events", body, servertest.Bearer(secret)); w.Code != http.StatusAccepted {
			b.Fatalf("publish: %d", w.Code)
		}
		got := svc.WaitFor("the push", func(r []apptest.PushReceived) bool { return len(r) > i })
		lat = append(lat, got[i].At.Sub(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
