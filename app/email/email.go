// Package email sends notifications by e-mail, the openwisp way: a
// `<type>_email` preference per type beside in-app and toast, one message
// per notification with a plain-text and an HTML part, and a signed
// one-click unsubscribe link (RFC 8058) that turns that type's e-mail off.
// Beyond email.batch_threshold e-mails to a user within
// email.batch_interval, the rest are held in the outbox and sent as one
// summary at the interval's end (summary.go; the rule is applied in the
// dispatch's transaction by the store).
//
// E-mails are durable: the dispatcher asks Emails (the app.EmailRouter) for
// outbox rows and stores them in the notification's transaction; the worker
// (Run) sends them through the configured SMTP server with go-mail, retries
// temporary failures (4xx answers, connection errors) on the shared outbox
// backoff (app/outbox) and gives up on permanent ones (5xx), keeping the
// server's answer in the log that the user and the admins read. Publishing
// never waits for SMTP.
package email

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/clock"
	"github.com/belfry/belfry/app/outbox"
	"github.com/google/uuid"
)

// Deps are the e-mail capability's collaborators.
type Deps struct {
	Config      app.EmailConfig
	BaseURL     string
	Types       *app.Types
	Store       app.EmailStore
	Users       app.UserStore
	Preferences app.PreferenceStore
	// Key signs the unsubscribe links (db.UnsubscribeKey).
	Key    []byte
	Clock  clock.Clock // nil: the wall clock
	Logger *slog.Logger
}

// claimLimit bounds the e-mails one look at the outbox sends over one SMTP
// connection.
const claimLimit = 50

// Service is the e-mail capability: the router the dispatcher calls, the
// worker and the HTTP routes. It is safe for concurrent use; Run must be
// called once.
type Service struct {
	d      Deps
	kick   outbox.Kick
	jitter func() float64

	sent, retried, failed, summaries atomic.Uint64
}

// New returns the service over d.
func New(d Deps) *Service {
	d.Clock = cmp.Or[clock.Clock](d.Clock, clock.Real{})
	d.Logger = cmp.Or(d.Logger, slog.Default())
	return &Service{d: d, kick: outbox.NewKick(), jitter: rand.Float64}
}

// Enabled reports whether an SMTP server is configured.
func (s *Service) Enabled() bool { return s.d.Config.Enabled() }

// Router returns the router to give the dispatcher: nil while e-mail is
// off, so nothing is queued.
func (s *Service) Router() app.EmailRouter {
	if !s.Enabled() {
		return nil
	}
	return s
}

// KickAfter returns next with a kick of the worker after every dispatch
// that queued e-mails.
func (s *Service) KickAfter(next app.Dispatcher) app.Dispatcher {
	return outbox.KickAfter(next, s.kick, func(r *app.DispatchResult) int { return r.Emails })
}

// Kick wakes the worker: e-mails were queued outside a dispatch (an
// escalation step).
func (s *Service) Kick() { s.kick.Kick() }

// snapshot is the notification as its e-mail shows it, taken at dispatch.
type snapshot struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	Level     app.Level `json:"level"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Format    string    `json:"format,omitempty"`
	TargetURL string    `json:"target_url,omitempty"`
	Subject   string    `json:"subject"`
	Stored    bool      `json:"stored"`
	CreatedAt time.Time `json:"created_at"`
}

// Emails implements app.EmailRouter: one outbox row for n, due now, under
// the configured batching rule (which the dispatch's transaction applies;
// the weekly report is never batched).
func (s *Service) Emails(_ context.Context, typ app.NotificationType, n *app.Notification, stored bool) ([]*app.Email, error) {
	subject := cmp.Or(n.EmailSubject, n.Title)
	payload, err := json.Marshal(snapshot{ID: n.ID, Type: typ.Name, Level: n.Level, Title: n.Title, Body: n.Body,
		Format: n.Format, TargetURL: n.TargetURL, Subject: subject, Stored: stored, CreatedAt: n.CreatedAt.UTC()})
	if err != nil {
		return nil, fmt.Errorf("encode e-mail payload: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("new e-mail id: %w", err)
	}
	e := &app.Email{ID: id.String(), UserID: n.UserID, Type: typ.Name, Subject: subject, Payload: payload,
		Status: app.EmailPending, Kind: app.EmailSingle, NextAttemptAt: n.CreatedAt, CreatedAt: n.CreatedAt}
	if typ.Name != app.WeeklyReportType {
		e.Batch = s.d.Config.Batch()
	}
	if stored {
		e.NotificationID = n.ID
	}
	return []*app.Email{e}, nil
}
