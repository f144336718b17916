package apptest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/belfry/belfry/app"
)

// PushService is a push service on loopback (TLS) for the tests: it holds
// each device's private key and auth secret, decrypts every payload with
// its own RFC 8291 code (crypto/ecdh, crypto/hkdf, AES-GCM: independent of
// the library under test), verifies the RFC 8292 VAPID JWT (audience,
// expiry, ES256 signature with the key of the Authorization header) and
// the headers, and answers what the test asks for (201 by default).
type PushService struct {
	t      testing.TB
	server *httptest.Server
	caFile string

	mu       sync.Mutex
	devices  map[string]*PushDevice
	answers  map[string][]PushAnswer
	received []PushReceived
	notify   chan struct{}
	hold     chan struct{} // non-nil: requests wait for it to close
}

// PushDevice is a browser's side of a subscription.
type PushDevice struct {
	Name     string
	Endpoint string
	key      *ecdh.PrivateKey
	auth     []byte
}

// PushAnswer is a status (and Retry-After) the service answers once.
type PushAnswer struct {
	Status     int
	RetryAfter string
}

// PushReceived is one push the service accepted or refused, decrypted.
type PushReceived struct {
	At      time.Time // when the request arrived
	Device  string
	Status  int
	Header  http.Header
	Payload map[string]any
	Raw     []byte
	// Audience, Subject and Expiry are the VAPID claims; Key the
	// server's public key (base64url).
	Audience, Subject, Key string
	Expiry                 time.Time
}

// NewPushService starts a push service on loopback until the test ends.
func NewPushService(t testing.TB) *PushService {
	p := &PushService{t: t, devices: map[string]*PushDevice{}, answers: map[string][]PushAnswer{}, notify: make(chan struct{}, 1)}
	p.server = httptest.NewTLSServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.server.Close)
	p.caFile = filepath.Join(t.TempDir(), "push-ca.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.server.Certificate().Raw})
	if err := os.WriteFile(p.caFile, cert, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Configure makes Belfry trust the service's certificate.
func (p *PushService) Configure(c *app.PushConfig) { c.CAFile = p.caFile }

// Origin is the service's origin, the VAPID audience.
func (p *PushService) Origin() string { return p.server.URL }

// Device makes a browser subscription called name.
func (p *PushService) Device(name string) *PushDevice {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		p.t.Fatal(err)
	}
	d := &PushDevice{Name: name, Endpoint: p.server.URL + "/push/" + name, key: key, auth: make([]byte, 16)}
	_, _ = rand.Read(d.auth)
	p.mu.Lock()
	p.devices[name] = d
	p.mu.Unlock()
	return d
}

// JSON is the device's PushSubscription.toJSON() as the browser posts it.
func (d *PushDevice) JSON() string {
	b, _ := json.Marshal(map[string]any{"endpoint": d.Endpoint, "expirationTime": nil, "keys": map[string]string{
		"p256dh": base64.RawURLEncoding.EncodeToString(d.key.PublicKey().Bytes()), "auth": base64.RawURLEncoding.EncodeToString(d.auth)}})
	return string(b)
}

// Answer queues statuses the device's endpoint answers, one per push,
// before it goes back to 201.
func (p *PushService) Answer(device string, answers ...PushAnswer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.answers[device] = append(p.answers[device], answers...)
}

// Hold makes every request wait until the returned function is called.
func (p *PushService) Hold() (release func()) {
	ch := make(chan struct{})
	p.mu.Lock()
	p.hold = ch
	p.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { close(ch) }) }
}

// Received returns every push so far.
func (p *PushService) Received() []PushReceived {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]PushReceived(nil), p.received...)
}

// WaitFor waits up to 10 s until ok holds for the pushes received so far.
func (p *PushService) WaitFor(what string, ok func([]PushReceived) bool) []PushReceived {
	p.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if got := p.Received(); ok(got) {
			return got
		}
		select {
		case <-p.notify:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			p.t.Fatalf("push service: timed out waiting for %s; received %d pushes", what, len(p.Received()))
		}
	}
}

var topicPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

func (p *PushService) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	hold := p.hold
	p.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}
	name := strings.TrimPrefix(r.URL.Path, "/push/")
	rec, err := p.check(name, r)
	if err != nil {
		p.t.Errorf("push service: %s: %v", name, err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	status := http.StatusCreated
	p.mu.Lock()
	if q := p.answers[name]; len(q) > 0 {
		status = q[0].Status
		if q[0].RetryAfter != "" {
			w.Header().Set("Retry-After", q[0].RetryAfter)
		}
		p.answers[name] = q[1:]
	}
	rec.Status = status
	p.received = append(p.received, *rec)
	p.mu.Unlock()
	select {
	case p.notify <- struct{}{}:
	default:
	}
	w.WriteHeader(status)
}

// check verifies a push request and decrypts it.
func (p *PushService) check(name string, r *http.Request) (*PushReceived, error) {
	p.mu.Lock()
	d := p.devices[name]
	p.mu.Unlock()
	if d == nil {
		return nil, fmt.Errorf("no device %q", name)
	}
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("method %s", r.Method)
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "aes128gcm" {
		return nil, fmt.Errorf("Content-Encoding %q, want aes128gcm", ce)
	}
	if ttl, err := strconv.Atoi(r.Header.Get("TTL")); err != nil || ttl < 0 {
		return nil, fmt.Errorf("TTL %q", r.Header.Get("TTL"))
	}
	switch u := r.Header.Get("Urgency"); u {
	case "", "very-low", "low", "normal", "high":
	default:
		return nil, fmt.Errorf("header Urgency %q", u)
	}
	if t := r.Header.Get("Topic"); t != "" && !topicPattern.MatchString(t) {
		return nil, fmt.Errorf("header Topic %q is not 1-32 base64url characters", t)
	}
	rec := &PushReceived{At: time.Now(), Device: name, Header: r.Header.Clone()}
	if err := p.verifyVAPID(r.Header.Get("Authorization"), rec); err != nil {
		return nil, fmt.Errorf("VAPID: %w", err)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<10))
	if err != nil {
		return nil, err
	}
	plain, err := d.decrypt(body)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	rec.Raw = plain
	if err := json.Unmarshal(plain, &rec.Payload); err != nil {
		return nil, fmt.Errorf("payload is not JSON: %w", err)
	}
	return rec, nil
}

// verifyVAPID checks `vapid t=<JWT>, k=<public key>`: ES256 signed by k,
// aud the service's origin, exp in the future and at most 24 h away.
func (p *PushService) verifyVAPID(h string, rec *PushReceived) error {
	rest, ok := strings.CutPrefix(h, "vapid ")
	if !ok {
		return fmt.Errorf("header Authorization %q is not vapid", h)
	}
	params := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		params[k] = v
	}
	keyBytes, err := base64.RawURLEncoding.DecodeString(params["k"])
	if err != nil {
		return fmt.Errorf("k: %w", err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), keyBytes)
	if err != nil {
		return fmt.Errorf("k: %w", err)
	}
	parts := strings.Split(params["t"], ".")
	if len(parts) != 3 {
		return errors.New("t is not a JWT")
	}
	var header struct{ Alg, Typ string }
	var claims struct {
		Aud, Sub string
		Exp      int64
	}
	for i, v := range []any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(raw, v) != nil {
			return fmt.Errorf("JWT part %d does not decode", i)
		}
	}
	if header.Alg != "ES256" {
		return fmt.Errorf("alg %q", header.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return errors.New("signature is not 64 bytes")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return errors.New("bad signature")
	}
	if claims.Aud != p.server.URL {
		return fmt.Errorf("aud %q, want %q", claims.Aud, p.server.URL)
	}
	exp := time.Unix(claims.Exp, 0)
	if now := time.Now(); !exp.After(now) || exp.After(now.Add(24*time.Hour)) {
		return fmt.Errorf("exp %s is not within the next 24 h", exp)
	}
	if !strings.HasPrefix(claims.Sub, "mailto:") && !strings.HasPrefix(claims.Sub, "https://") {
		return fmt.Errorf("sub %q", claims.Sub)
	}
	rec.Audience, rec.Subject, rec.Key, rec.Expiry = claims.Aud, claims.Sub, params["k"], exp
	return nil
}

// decrypt opens an RFC 8188 aes128gcm body with the RFC 8291 keys.
func (d *PushDevice) decrypt(body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("short header")
	}
	salt, rs, idLen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if len(body) < 21+idLen || idLen != 65 {
		return nil, fmt.Errorf("key id of %d bytes", idLen)
	}
	senderBytes, ciphertext := body[21:21+idLen], body[21+idLen:]
	if uint32(len(ciphertext)) > rs || len(ciphertext) < 17 {
		return nil, fmt.Errorf("record of %d bytes with record size %d", len(ciphertext), rs)
	}
	sender, err := ecdh.P256().NewPublicKey(senderBytes)
	if err != nil {
		return nil, err
	}
	shared, err := d.key.ECDH(sender)
	if err != nil {
		return nil, err
	}
	prkKey, err := hkdf.Extract(sha256.New, shared, d.auth)
	if err != nil {
		return nil, err
	}
	info := "WebPush: info\x00" + string(d.key.PublicKey().Bytes()) + string(senderBytes)
	ikm, err := hkdf.Expand(sha256.New, prkKey, info, 32)
	if err != nil {
		return nil, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return nil, err
	}
	end := len(plain) - 1
	for end >= 0 && plain[end] == 0 {
		end--
	}
	if end < 0 || plain[end] != 2 {
		return nil, errors.New("no last-record delimiter")
	}
	return plain[:end], nil
}
