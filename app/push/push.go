// Package push sends notifications to the users' devices with Web Push:
// RFC 8291 aes128gcm payload encryption and RFC 8292 VAPID through
// github.com/SherClockHolmes/webpush-go, with a `<type>_push` preference
// per type beside in-app, toast and e-mail.
//
// Keys need no setup: the VAPID key pair is made at first start and kept in
// the database (db.VAPIDKey). Pushes are durable: the dispatcher asks
// Pushes (the app.PushRouter) for one outbox row per recipient, which the
// store fans out to the recipient's devices in the notification's own
// transaction; the worker (Run) sends them, one lane per push service host
// so a slow service holds up only its own pushes.
package push

import (
	"cmp"
	"context"
	"crypto/ecdh"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/outbox"
)

// Deps are the push capability's collaborators.
type Deps struct {
	Config app.PushConfig
	// Storm is the storm rule that holds pushes back (its short window).
	Storm   app.StormConfig
	BaseURL string
	Store   app.PushStore
	// Unread counts a user's unread notifications: the badge.
	Unread func(ctx context.Context, userID string) (int, error)
	// Key is the VAPID private key (db.VAPIDKey).
	Key    *ecdh.PrivateKey
	Clock  clock.Clock // nil: the wall clock
	Logger *slog.Logger
}

// Service is the push capability: the router the dispatcher calls, the
// worker and the HTTP routes. It is safe for concurrent use; Run must be
// called once.
type Service struct {
	d       Deps
	kick    outbox.Kick
	jitter  func() float64
	client  *http.Client
	public  string // the VAPID public key, base64url (uncompressed point)
	private string // the VAPID private key, base64url
	subject string
	clears  chan app.Change
	storm   *stormGate

	sent, retried, failed, gone atomic.Uint64
}

// New returns the service over d.
func New(d Deps) (*Service, error) {
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	d.Logger = cmp.Or(d.Logger, slog.Default())
	s := &Service{d: d, kick: outbox.NewKick(), clears: make(chan app.Change, clearQueue), storm: newStormGate(d.Storm), jitter: rand.Float64, subject: subject(d.Config.Subject, d.BaseURL),
		public:  base64.RawURLEncoding.EncodeToString(d.Key.PublicKey().Bytes()),
		private: base64.RawURLEncoding.EncodeToString(d.Key.Bytes())}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if d.Config.CAFile != "" {
		pem, err := os.ReadFile(d.Config.CAFile)
		if err != nil {
			return nil, fmt.Errorf("push.ca_file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("push.ca_file %s holds no PEM certificate", d.Config.CAFile)
		}
		tlsConfig.RootCAs = pool
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsConfig
	s.client = &http.Client{Transport: transport, Timeout: d.Config.Timeout.Duration,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return s, nil
}

// subject returns the VAPID subject as webpush-go wants it: an https URL,
// or a bare address it prefixes with mailto: itself.
func subject(configured, baseURL string) string {
	switch {
	case configured != "":
		return strings.TrimPrefix(configured, "mailto:")
	case strings.HasPrefix(baseURL, "https://"):
		return baseURL
	}
	return "belfry@localhost"
}

// Enabled reports whether push is on.
func (s *Service) Enabled() bool { return s.d.Config.Enabled }

// PublicKey returns the VAPID public key the browser subscribes with
// (applicationServerKey), base64url.
func (s *Service) PublicKey() string { return s.public }

// Router returns the router to give the dispatcher: nil while push is off.
func (s *Service) Router() app.PushRouter {
	if !s.Enabled() {
		return nil
	}
	return s
}

// KickAfter returns next with a kick of the worker after every dispatch
// that queued pushes.
func (s *Service) KickAfter(next app.Dispatcher) app.Dispatcher {
	return outbox.KickAfter(next, s.kick, func(r *app.DispatchResult) int { return r.Pushes })
}

// Kick wakes the worker: pushes were queued outside a dispatch (an
// escalation step).
func (s *Service) Kick() { s.kick.Kick() }

// Pushes implements app.PushRouter: one push for n's user, fanned out to
// every device of theirs by the store.
func (s *Service) Pushes(_ context.Context, _ app.NotificationType, n *app.Notification, stored bool) ([]*app.Push, error) {
	return s.pushes(n, stored, false, n.CreatedAt)
}

// Reminder returns the push of an escalation's repeat: stored
// notification n again, titled title, due at now, with urgency high, and
// shown by the service worker in place of the first one but alerting
// again (renotify).
func (s *Service) Reminder(n *app.Notification, title string, now time.Time) ([]*app.Push, error) {
	again := *n
	again.Title = title
	return s.pushes(&again, true, true, now)
}

// Devices returns how many devices userID has: a repeat pushes only to a
// user who has one.
func (s *Service) Devices(ctx context.Context, userID string) (int, error) {
	subs, err := s.d.Store.ListSubscriptions(ctx, userID)
	return len(subs), err
}

func (s *Service) pushes(n *app.Notification, stored, reminder bool, at time.Time) ([]*app.Push, error) {
	m := message{Kind: app.PushNotify, Title: n.Title, Body: excerpt(n.Body, bodyExcerpt), Level: string(n.Level),
		Icon: iconPath(n.Level), URL: s.target(n, stored), Renotify: reminder}
	if stored {
		m.ID = n.ID
	}
	m.Tag = tag(n.ID)
	payload, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode push payload: %w", err)
	}
	u := urgency(n.Level)
	if reminder {
		u = "high"
	}
	return []*app.Push{{UserID: n.UserID, NotificationID: m.ID, Kind: app.PushNotify, Payload: payload,
		Urgency: u, Topic: topic(n.ID), TTL: s.d.Config.TTL.Duration,
		NextAttemptAt: at, CreatedAt: at}}, nil
}

// target is where a click on n leads: its target URL, else the page that
// opens it marked read, else the inbox.
func (s *Service) target(n *app.Notification, stored bool) string {
	switch {
	case n.TargetURL != "":
		return n.TargetURL
	case stored:
		return "/n/" + n.ID
	}
	return "/"
}

// message is the JSON payload the service worker receives.
type message struct {
	Kind  string `json:"kind"`
	ID    string `json:"id,omitempty"` // the notification, when it is stored
	Tag   string `json:"tag"`          // the system notification's tag
	Title string `json:"title,omitempty"`
	Body  string `json:"body,omitempty"`
	Level string `json:"level,omitempty"`
	Icon  string `json:"icon,omitempty"`
	URL   string `json:"url,omitempty"`
	Count int    `json:"count,omitempty"` // notifications a summary stands for
	Badge *int   `json:"badge,omitempty"` // the unread count when sent
	// Renotify alerts again although a notification with the tag is shown
	// (an escalation's repeat).
	Renotify bool `json:"renotify,omitempty"`
}

// bodyExcerpt bounds the body's excerpt in bytes: lock screens show two
// or three lines.
const bodyExcerpt = 240

// excerpt returns the first max bytes of s as plain text on one line,
// cut at a rune boundary, with "…" when cut.
func excerpt(s string, limit int) string {
	s = strings.Join(strings.Fields(stripMarkup(s)), " ")
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// stripMarkup drops Markdown's emphasis and link brackets and HTML-like
// tags, so the lock screen shows words, not syntax.
func stripMarkup(s string) string {
	var b strings.Builder
	inTag := false
	for _, r := range s {
		switch {
		case r == '<':
			inTag = true
		case r == '>' && inTag:
			inTag = false
		case inTag:
		case strings.ContainsRune("*_`#[]", r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// tag is the system notification's tag of notification id: a later push
// with the same tag (a clear) finds it.
func tag(id string) string { return "belfry-" + id }

// topic is the RFC 8030 Topic of notification id's pushes: a clear queued
// at the push service replaces the undelivered push it clears. At most 32
// base64url characters.
func topic(id string) string {
	sum := sha256.Sum256([]byte(id))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// urgency is RFC 8030's Urgency of a level: errors wake the phone.
func urgency(l app.Level) string {
	if l == app.LevelError {
		return "high"
	}
	return "normal"
}

// iconPath is the icon a level shows.
func iconPath(l app.Level) string { return "/push/icons/" + string(cmp.Or(l, app.LevelInfo)) + ".png" }
