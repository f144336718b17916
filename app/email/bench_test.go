package email_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/belfry/belfry/app"
	"github.com/belfry/belfry/app/apptest"
	"github.com/belfry/belfry/app/email"
	"github.com/belfry/belfry/app/server/servertest"
	"github.com/belfry/belfry/db"
)

// BenchmarkPublishEmail is the publish throughput (servertest.BenchPublish,
// concurrency 8, durability full) of job_failed events, whose e-mail is on
// by default, with e-mail configured against the in-process SMTP server and
// with e-mail off, in the same run: the cost of queuing the outbox row in
// the notification's transaction (the worker sends in the background).
func BenchmarkPublishEmail(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "email=off"
		if on {
			name = "email=on"
		}
		b.Run(name, func(b *testing.B) {
			smtpd := apptest.NewSMTP(b)
			s := servertest.New(b, servertest.WithConfig(func(c *app.Config) {
				c.Database.Durability = "full"
				if on {
					smtpd.Configure(&c.Email)
				}
			}))
			admin, err := s.Users.FindUserByName(context.Background(), "admin")
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Email.SetAddress(context.Background(), admin.ID, "admin@example.org"); err != nil {
				b.Fatal(err)
			}
			secret := s.TokenFor("admin", true, app.ScopePublish)
			body := []byte(`{"type":"job_failed","title":"Backup failed","body":"Disk **full**"}`)
			s.BenchPublish(b, 8, func(int64) *http.Request {
				req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/events", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+secret)
				req.Header.Set("Content-Type", "application/json")
				return req
			})
		})
	}
}

// BenchmarkWorkerSend is how many e-mails per second the worker sends to
// the local SMTP server (STARTTLS, AUTH PLAIN, one connection per batch of
// up to 50). The server runs with e-mail off, so its own worker stays idle;
// b.N outbox rows are queued first through a second service's router, then
// that service's SendDue sends them. Run it with a fixed -benchtime (e.g.
// 3000x): the queuing is not timed.
func BenchmarkWorkerSend(b *testing.B) {
	smtpd := apptest.NewSMTP(b)
	s := servertest.New(b)
	var cfg app.EmailConfig = app.DefaultConfig().Email
	smtpd.Configure(&cfg)
	svc := email.New(email.Deps{Config: cfg, BaseURL: s.URL, Types: s.Types, Store: db.NewEmailStore(s.DB),
		Users: s.Users, Preferences: s.Preferences, Key: []byte("bench key"), Logger: apptest.Logger()})
	ctx := context.Background()
	u := s.User("alice", false)
	if err := svc.SetAddress(ctx, u.ID, "alice@example.org"); err != nil {
		b.Fatal(err)
	}
	typ, _ := s.Types.Lookup("job_failed")
	for i := 0; i < b.N; i++ {
		n := apptest.Notification(u.ID, "Backup failed")
		n.Body, n.Type = "Disk **full**", "job_failed"
		es, err := svc.Emails(ctx, typ, n, false)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Notifications.QueueNotifications(ctx, nil, app.Outbox{Emails: es})(); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for len(smtpd.Messages()) < b.N {
		if svc.SendDue(ctx) == 0 {
			b.Fatalf("nothing due, %d of %d sent", len(smtpd.Messages()), b.N)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "emails/s")
}
