package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/outbox"
	mail "github.com/wneessen/go-mail"
)

// Run sends the outbox until ctx ends. Nothing runs while e-mail is off.
func (s *Service) Run(ctx context.Context) {
	if !s.Enabled() {
		return
	}
	for {
		if s.sendDue(ctx) == claimLimit {
			continue // more are due
		}
		next, ok, err := s.d.Store.NextEmailDue(ctx)
		if !outbox.Sleep(ctx, s.kick, next, ok, err, s.d.Clock.Now()) {
			return
		}
	}
}

// lease is how long claimed e-mails stay away from another claim: after a
// crash mid-send they are due again then.
func (s *Service) lease() time.Duration {
	return time.Duration(claimLimit)*s.d.Config.Timeout.Duration + time.Minute
}

// sendDue sends the due e-mails over one connection and records each
// outcome; it returns how many it claimed. E-mails not attempted because
// ctx ended (a shutdown) are released, due at once, without counting an
// attempt.
func (s *Service) sendDue(ctx context.Context) int {
	now := s.d.Clock.Now()
	es, err := s.d.Store.ClaimEmails(ctx, now, now.Add(s.lease()), claimLimit)
	if err != nil {
		if ctx.Err() == nil {
			s.d.Logger.Error("claim e-mails", "err", err)
		}
		return 0
	}
	if len(es) == 0 {
		return 0
	}
	msgs, done := make([]*mail.Msg, len(es)), make([]bool, len(es))
	for i, e := range es {
		m, final, err := s.prepare(ctx, e)
		if ctx.Err() != nil {
			break
		}
		if errors.Is(err, errEmptySummary) {
			e.Status, e.LastError, e.UpdatedAt = app.EmailSkipped, err.Error(), now
			done[i] = true
			continue
		}
		if err != nil {
			s.settle(e, err, final, now)
			done[i] = true
			continue
		}
		msgs[i] = m
	}
	if ctx.Err() == nil {
		if err := s.deliver(ctx, es, msgs, done, now); err != nil && ctx.Err() == nil {
			for i, e := range es {
				if msgs[i] != nil && !done[i] {
					s.settle(e, err, false, now)
					done[i] = true
				}
			}
		}
	}
	for i, e := range es {
		if !done[i] {
			e.NextAttemptAt, e.UpdatedAt = now, now
		}
	}
	if err := s.d.Store.RecordEmails(context.WithoutCancel(ctx), es); err != nil {
		s.d.Logger.Error("record e-mails", "emails", len(es), "err", err)
	}
	return len(es)
}

// prepare builds e's message to its user's current address. final says
// that an error cannot go away by retrying (no user, no address, a message
// that cannot be built); a database error can.
func (s *Service) prepare(ctx context.Context, e *app.Email) (msg *mail.Msg, final bool, err error) {
	u, err := s.d.Users.FindUserByID(ctx, e.UserID)
	if err != nil {
		return nil, app.ErrorKind(err) == app.ENOTFOUND, err
	}
	if u.Email == "" {
		return nil, true, errors.New("the user has no e-mail address")
	}
	if e.Kind == app.EmailSummary {
		msg, err = s.buildSummary(ctx, e, u.Email)
		return msg, err != nil && app.ErrorKind(err) != app.EINTERNAL, err
	}
	msg, err = s.build(e, u.Email)
	return msg, true, err
}

// deliver sends msgs (nil entries are skipped) over one connection and
// settles the e-mail of each attempted, marking it done; an error is a
// connection failure that settles none. It stops when ctx ends.
func (s *Service) deliver(ctx context.Context, es []*app.Email, msgs []*mail.Msg, done []bool, now time.Time) error {
	todo := 0
	for _, m := range msgs {
		if m != nil {
			todo++
		}
	}
	if todo == 0 {
		return nil
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(todo+1)*s.d.Config.Timeout.Duration)
	defer cancel()
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = c.CloseWithSMTPClient(sc) }()
	for i, m := range msgs {
		if m == nil {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		err := c.SendWithSMTPClient(sc, m)
		s.settle(es[i], err, permanent(err), now)
		done[i] = true
	}
	return nil
}

// permanent reports whether err is the server's permanent refusal (5xx);
// everything else — 4xx answers, connection errors — is worth a retry.
func permanent(err error) bool {
	var se *mail.SendError
	return errors.As(err, &se) && se.ErrorCode() >= 500
}

// settle records an attempt's outcome on e: sent, retried later on the
// outbox backoff, or failed (a permanent error, or out of attempts).
func (s *Service) settle(e *app.Email, err error, final bool, now time.Time) {
	e.Attempts++
	e.UpdatedAt = now
	if err == nil {
		e.Status, e.LastError, e.SentAt = app.EmailSent, "", &now
		s.sent.Add(1)
		if e.Kind == app.EmailSummary {
			s.summaries.Add(1)
		}
		return
	}
	e.LastError = describe(err)
	if final || e.Attempts >= s.d.Config.MaxAttempts {
		e.Status = app.EmailFailed
		s.failed.Add(1)
		s.d.Logger.Warn("e-mail given up", "email_id", e.ID, "user_id", e.UserID, "attempt", e.Attempts, "err", e.LastError)
		return
	}
	e.Status, e.NextAttemptAt = app.EmailPending, now.Add(outbox.Backoff(e.Attempts, s.jitter()))
	s.retried.Add(1)
	s.d.Logger.Warn("e-mail failed, will retry", "email_id", e.ID, "attempt", e.Attempts, "err", e.LastError,
		"retry_at", e.NextAttemptAt)
}

// describe is the log's last_error: the server's answer when there is one.
func describe(err error) string {
	msg := err.Error()
	if len(msg) > 1000 {
		msg = msg[:1000]
	}
	return strings.ToValidUTF8(msg, "?")
}

// client returns a go-mail client for the configured server.
func (s *Service) client() (*mail.Client, error) {
	cfg := s.d.Config
	tlsConfig := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("email.ca_file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("email.ca_file %s holds no PEM certificate", cfg.CAFile)
		}
		tlsConfig.RootCAs = pool
	}
	opts := []mail.Option{mail.WithPort(cfg.Port), mail.WithTimeout(cfg.Timeout.Duration), mail.WithTLSConfig(tlsConfig)}
	switch cfg.TLS {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	return mail.NewClient(cfg.Host, opts...)
}
